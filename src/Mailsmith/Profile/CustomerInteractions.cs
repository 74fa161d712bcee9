using Mailsmith.Storage;

namespace Mailsmith.Profile;

/// <summary>How a customer touched a product.</summary>
internal enum InteractionKind : byte
{
    View,
    AddToCart,
    Purchase,
}

/// <summary>One customer–product interaction: a view or cart event, or one purchased order line.</summary>
internal readonly record struct Interaction(string ProductId, InteractionKind Kind, DateTimeOffset At, decimal? UnitPrice);

/// <summary>
/// Reads one customer's product interactions up to a moment, the same way for Profile and Recommend.
/// </summary>
/// <remarks>
/// Purchases come from order lines, the store's record of what was bought. <c>purchase</c> events are used
/// only for a customer with no order at or before the moment: stores that send both would otherwise count
/// every purchase twice.
/// </remarks>
internal static class CustomerInteractions
{
    /// <summary>Clears <paramref name="into"/> and fills it with the customer's interactions at or before <paramref name="asOf"/>.</summary>
    public static void Collect(StoreSnapshot snapshot, string customerId, DateTimeOffset asOf, List<Interaction> into)
    {
        into.Clear();
        var hasOrders = false;
        foreach (var order in snapshot.OrdersOf(customerId))
        {
            if (order.OrderedAt > asOf)
            {
                continue;
            }
            hasOrders = true;
            foreach (var line in snapshot.LinesOf(order.OrderId))
            {
                into.Add(new Interaction(line.ProductId, InteractionKind.Purchase, order.OrderedAt, line.UnitPrice));
            }
        }
        foreach (var e in snapshot.EventsOf(customerId))
        {
            if (e.OccurredAt > asOf || string.IsNullOrEmpty(e.ProductId))
            {
                continue;
            }
            switch (e.Type)
            {
                case EventTypes.View:
                    into.Add(new Interaction(e.ProductId, InteractionKind.View, e.OccurredAt, null));
                    break;
                case EventTypes.AddToCart:
                    into.Add(new Interaction(e.ProductId, InteractionKind.AddToCart, e.OccurredAt, null));
                    break;
                case EventTypes.Purchase when !hasOrders:
                    into.Add(new Interaction(e.ProductId, InteractionKind.Purchase, e.OccurredAt, null));
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Exponential decay: 1 at age 0, ½ at <paramref name="halfLifeDays"/>; ages below 0 count as 0.</summary>
    public static double Decay(DateTimeOffset at, DateTimeOffset asOf, double halfLifeDays)
    {
        var ageDays = Math.Max(0, (asOf - at).TotalDays);
        return Math.Exp(-Math.Log(2) * ageDays / halfLifeDays);
    }
}
