using Mailsmith.Storage;

namespace Mailsmith.Learn;

/// <summary>A customer's outcomes by the local hour of the week their messages were delivered (0 = Monday 00:00).</summary>
/// <param name="Delivered">Messages delivered in each hour of the week (168 entries).</param>
/// <param name="Clicked">Of those, messages a person clicked.</param>
/// <param name="Purchased">Of those, messages followed by an order within the window.</param>
public sealed record SendHourCounts(string CustomerId, int[] Delivered, int[] Clicked, int[] Purchased)
{
    /// <summary>Responses (a click or a purchase, each message counted once per kind) in hour <paramref name="h"/>.</summary>
    public int Responses(int h) => Clicked[h] + Purchased[h];
}

/// <summary>What <see cref="SendTimeOutcomes.Refresh"/> did.</summary>
public sealed record SendTimeRefresh(int Customers, int Rows, long Delivered, long Clicked, long Purchased);

/// <summary>
/// Send time learned from outcomes: every delivered message counts for the customer's local hour of the week of its
/// delivery — whether a person clicked it, whether they ordered within the window after it — in
/// <c>customer_send_hours</c> (migration 0008), which the profile stage's send-time profile reads
/// (docs/learn.md "Send time learned from outcomes"). <see cref="BestHour"/> turns the counts into the hour to send.
/// </summary>
public static class SendTimeOutcomes
{
    /// <summary>Hours in a week.</summary>
    public const int HoursPerWeek = 168;

    /// <summary>Rebuilds <c>customer_send_hours</c> from every delivered message, its human clicks and the orders after it (in one transaction).</summary>
    /// <param name="windowDays">An order at most this many days after delivery counts as a purchase of that message. Default 5 (the attribution window).</param>
    /// <param name="storeOrders">The store's orders when the caller has them loaded already (the profile stage's snapshot); read from the store otherwise.</param>
    public static SendTimeRefresh Refresh(MailsmithStore store, DateTimeOffset now, double windowDays = 5, IReadOnlyList<Order>? storeOrders = null)
    {
        var ordersByCustomer = (storeOrders ?? store.LoadOrders()).GroupBy(o => o.CustomerId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(o => o.OrderedAt).Order().ToArray(), StringComparer.Ordinal);
        var zones = new Dictionary<string, TimeZoneInfo>(StringComparer.Ordinal);
        var counts = new Dictionary<string, SendHourCounts>(StringComparer.Ordinal);
        var window = TimeSpan.FromDays(windowDays);
        long delivered = 0, clicked = 0, purchased = 0;
        using var connection = store.OpenConnection();
        using (var select = store.Command(connection, "learn-delivery-outcomes"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                var customer = reader.GetString(0);
                var sentAt = DbValues.Time(reader.GetInt64(1));
                var zone = Zone(zones, reader.IsDBNull(2) ? null : reader.GetString(2));
                var h = HourOfWeek(TimeZoneInfo.ConvertTime(sentAt, zone));
                if (!counts.TryGetValue(customer, out var c))
                {
                    c = new SendHourCounts(customer, new int[HoursPerWeek], new int[HoursPerWeek], new int[HoursPerWeek]);
                    counts[customer] = c;
                }
                c.Delivered[h]++;
                delivered++;
                if (reader.GetInt64(3) != 0)
                {
                    c.Clicked[h]++;
                    clicked++;
                }
                if (ordersByCustomer.TryGetValue(customer, out var orders) && AnyWithin(orders, sentAt, sentAt + window))
                {
                    c.Purchased[h]++;
                    purchased++;
                }
            }
        }
        using var transaction = connection.BeginTransaction();
        using (var clear = store.Command(connection, "learn-clear-send-hours", transaction))
        {
            clear.ExecuteNonQuery();
        }
        var rows = 0;
        using (var insert = store.Command(connection, "learn-insert-send-hour", transaction))
        {
            var pc = insert.Parameters.Add("$customer_id", Microsoft.Data.Sqlite.SqliteType.Text);
            var ph = insert.Parameters.Add("$hour_of_week", Microsoft.Data.Sqlite.SqliteType.Integer);
            var pd = insert.Parameters.Add("$delivered", Microsoft.Data.Sqlite.SqliteType.Integer);
            var pk = insert.Parameters.Add("$clicked", Microsoft.Data.Sqlite.SqliteType.Integer);
            var pp = insert.Parameters.Add("$purchased", Microsoft.Data.Sqlite.SqliteType.Integer);
            insert.Parameters.AddWithValue("$at", DbValues.ToDb(now));
            foreach (var c in counts.Values)
            {
                for (var h = 0; h < HoursPerWeek; h++)
                {
                    if (c.Delivered[h] == 0)
                    {
                        continue;
                    }
                    (pc.Value, ph.Value, pd.Value, pk.Value, pp.Value) = (c.CustomerId, h, c.Delivered[h], c.Clicked[h], c.Purchased[h]);
                    insert.ExecuteNonQuery();
                    rows++;
                }
            }
        }
        transaction.Commit();
        return new SendTimeRefresh(counts.Count, rows, delivered, clicked, purchased);
    }

    /// <summary>The stored counts per customer.</summary>
    public static IReadOnlyDictionary<string, SendHourCounts> Load(MailsmithStore store)
    {
        var counts = new Dictionary<string, SendHourCounts>(StringComparer.Ordinal);
        using var connection = store.OpenConnection();
        using var select = store.Command(connection, "learn-select-send-hours");
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            var customer = reader.GetString(0);
            if (!counts.TryGetValue(customer, out var c))
            {
                c = new SendHourCounts(customer, new int[HoursPerWeek], new int[HoursPerWeek], new int[HoursPerWeek]);
                counts[customer] = c;
            }
            var h = reader.GetInt32(1);
            c.Delivered[h] = reader.GetInt32(2);
            c.Clicked[h] = reader.GetInt32(3);
            c.Purchased[h] = reader.GetInt32(4);
        }
        return counts;
    }

    /// <summary>
    /// The hour of the week with the highest smoothed response rate, and a confidence 0–1; null when the customer has
    /// no response at all (then the engagement-based profile or the campaign default decides).
    /// </summary>
    /// <remarks>
    /// Each hour's rate is (responses + <paramref name="priorStrength"/> × the hour's prior rate) / (delivered +
    /// <paramref name="priorStrength"/>), the posterior mean under a Beta prior worth that many messages: against a
    /// population rate of a few percent, one click on one message does not beat twelve on twenty.
    /// <paramref name="prior"/> is the population's rate per hour (<see cref="PopulationRates"/>); without it every
    /// hour's prior is the customer's own overall rate. Confidence is the share of the best hour's evidence that is
    /// the customer's own: delivered / (delivered + prior strength).
    /// </remarks>
    public static (int HourOfWeek, double Confidence)? BestHour(SendHourCounts counts, IReadOnlyList<double>? prior = null, double priorStrength = 4)
    {
        var delivered = counts.Delivered.Sum();
        var responses = Enumerable.Range(0, HoursPerWeek).Sum(counts.Responses);
        if (delivered == 0 || responses == 0)
        {
            return null;
        }
        var own = (double)responses / delivered;
        var best = -1;
        var bestRate = double.NegativeInfinity;
        for (var h = 0; h < HoursPerWeek; h++)
        {
            if (counts.Delivered[h] == 0)
            {
                continue;
            }
            var p = prior?[h] ?? own;
            var rate = (counts.Responses(h) + priorStrength * p) / (counts.Delivered[h] + priorStrength);
            if (rate > bestRate)
            {
                (best, bestRate) = (h, rate);
            }
        }
        return (best, counts.Delivered[best] / (counts.Delivered[best] + priorStrength));
    }

    /// <summary>The response rate of every customer together per hour of the week (0 where nothing was delivered).</summary>
    public static double[] PopulationRates(IEnumerable<SendHourCounts> all)
    {
        var d = new long[HoursPerWeek];
        var r = new long[HoursPerWeek];
        foreach (var c in all)
        {
            for (var h = 0; h < HoursPerWeek; h++)
            {
                d[h] += c.Delivered[h];
                r[h] += c.Responses(h);
            }
        }
        return [.. Enumerable.Range(0, HoursPerWeek).Select(h => d[h] == 0 ? 0 : (double)r[h] / d[h])];
    }

    /// <summary>Hour of the week of a local time: Monday 00:00 = 0 … Sunday 23:00 = 167.</summary>
    public static int HourOfWeek(DateTimeOffset local) => ((int)local.DayOfWeek + 6) % 7 * 24 + local.Hour;

    private static bool AnyWithin(DateTimeOffset[] sorted, DateTimeOffset from, DateTimeOffset to)
    {
        var i = Array.BinarySearch(sorted, from);
        i = i < 0 ? ~i : i + 1;
        // Strictly after delivery: an order placed in the same instant as the send did not follow it.
        while (i < sorted.Length && sorted[i] <= from)
        {
            i++;
        }
        return i < sorted.Length && sorted[i] <= to;
    }

    private static TimeZoneInfo Zone(Dictionary<string, TimeZoneInfo> cache, string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return TimeZoneInfo.Utc;
        }
        if (!cache.TryGetValue(id, out var zone))
        {
            zone = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc;
            cache[id] = zone;
        }
        return zone;
    }
}
