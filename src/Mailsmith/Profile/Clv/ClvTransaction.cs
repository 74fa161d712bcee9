namespace Mailsmith.Profile.Clv;

/// <summary>One purchase: who, on which calendar day, for how much. Several on one day count as one transaction.</summary>
/// <param name="CustomerId">The customer's id, as in the source.</param>
/// <param name="Date">The calendar day of the purchase (the model's time resolution is one day).</param>
/// <param name="Amount">The money spent (any currency, the same for every row).</param>
public readonly record struct ClvTransaction(string CustomerId, DateOnly Date, double Amount);
