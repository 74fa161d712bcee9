namespace Mailsmith.Profile.Clv;

/// <summary>How CLV models are fitted and what they predict. Immutable; formulas in docs/clv.md.</summary>
public sealed class ClvOptions
{
    /// <summary>The defaults.</summary>
    public static ClvOptions Default { get; } = new();

    /// <summary>Days in the model's time unit (so α, t_x and T are in these units). Default 7 (weeks, as in the CDNOW papers).</summary>
    public double TimeUnitDays { get; init; } = 7;

    /// <summary>Fewer repeat customers than this and the fit is refused with <see cref="ClvFitStatus.TooFewRepeatCustomers"/>. Default 20.</summary>
    public int MinRepeatCustomers { get; init; } = 20;

    /// <summary>The CLV horizon in months (of 365.25/12 days). Default 12.</summary>
    public int ClvMonths { get; init; } = 12;

    /// <summary>The discount rate per month applied to each month's expected purchases in the CLV. Default 0.01 (about 12.7% a year).</summary>
    public double MonthlyDiscountRate { get; init; } = 0.01;

    /// <summary>An expected next-order date further than this many days after the as-of day is reported as null (not meaningful). Default 730.</summary>
    public int NextOrderMaxDays { get; init; } = 730;

    /// <summary>The holdout comparison groups customers by calibration repeat purchases 0, 1, …, this − 1 and "this or more". Default 7.</summary>
    public int HoldoutMaxFrequency { get; init; } = 7;
}
