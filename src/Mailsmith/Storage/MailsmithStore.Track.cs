using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Storage;

// The tracking server's rows: sends and customers looked up by token, preferences, delivery feedback, attribution
// and the per-message figures a report adds up. Named queries in Queries/track.sql.
public sealed partial class MailsmithStore
{
    /// <summary>The send with this id, or null.</summary>
    public Send? GetSend(long sendId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-send");
        command.Parameters.AddWithValue("$send_id", sendId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSend(reader) : null;
    }

    /// <summary>The send whose Message-ID is <paramref name="messageId"/> (angle brackets optional), or null.</summary>
    public Send? GetSendByMessageId(string messageId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-send-by-message-id");
        command.Parameters.AddWithValue("$message_id", "<" + messageId.Trim().Trim('<', '>') + ">");
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSend(reader) : null;
    }

    /// <summary>The latest message sent to <paramref name="email"/>, or null.</summary>
    public Send? LatestSendToEmail(string email)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-latest-send-to-email");
        command.Parameters.AddWithValue("$email", email.Trim());
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSend(reader) : null;
    }

    /// <summary>The customer with this id, or null.</summary>
    public Customer? GetCustomer(string customerId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-customer");
        command.Parameters.AddWithValue("$customer_id", customerId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        return new Customer(
            reader.GetString(0), reader.GetString(1), NullableString(reader, 2), NullableString(reader, 3), reader.GetString(4),
            NullableString(reader, 5), NullableTime(reader, 6),
            reader.IsDBNull(7) ? null : DateOnly.ParseExact(reader.GetString(7), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            reader.GetInt64(8) != 0, NullableTime(reader, 9), NullableTime(reader, 10));
    }

    /// <summary>A customer's preference-centre choices, or null when they never saved any.</summary>
    public CustomerPreferences? GetPreferences(string customerId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-preferences");
        command.Parameters.AddWithValue("$customer_id", customerId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadPreferences(reader) : null;
    }

    /// <summary>Every customer's preference-centre choices, by customer id.</summary>
    public IReadOnlyDictionary<string, CustomerPreferences> LoadPreferences()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-all-preferences");
        using var reader = command.ExecuteReader();
        var map = new Dictionary<string, CustomerPreferences>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var p = ReadPreferences(reader);
            map[p.CustomerId] = p;
        }
        return map;
    }

    /// <summary>Engagement events of one type in the whole store (tests and the server benchmark count with it).</summary>
    public long CountEngagement(string type)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "count-engagement-total");
        command.Parameters.AddWithValue("$type", type);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// A bounce or complaint reported after sending (provider webhook, DSN): suppresses the address and records the
    /// event on the message when it is known, in one transaction. Idempotent.
    /// </summary>
    /// <param name="type"><c>bounce</c> or <c>complaint</c>.</param>
    /// <returns>Whether an engagement event was added (false when the message is unknown or already had one).</returns>
    public bool RecordDeliveryFeedback(string email, string type, long? sendId, string reason, DateTimeOffset at)
    {
        if (type is not ("bounce" or "complaint"))
        {
            throw new ArgumentException($"delivery feedback type must be bounce or complaint, got '{type}'", nameof(type));
        }
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var suppress = Command(connection, "insert-suppression", transaction))
        {
            suppress.Parameters.AddWithValue("$email", email.Trim());
            suppress.Parameters.AddWithValue("$reason", type + ": " + reason);
            suppress.Parameters.AddWithValue("$at", DbValues.ToDb(at));
            suppress.ExecuteNonQuery();
        }
        var added = false;
        if (sendId is { } id)
        {
            using var insert = Command(connection, "insert-feedback-engagement", transaction);
            insert.Parameters.AddWithValue("$send_id", id);
            insert.Parameters.AddWithValue("$type", type);
            insert.Parameters.AddWithValue("$at", DbValues.ToDb(at));
            insert.Parameters.AddWithValue("$reason", reason);
            insert.Parameters.AddWithValue("$event_key", Guid.CreateVersion7(at).ToByteArray(bigEndian: true));
            added = insert.ExecuteNonQuery() > 0;
        }
        transaction.Commit();
        return added;
    }

    /// <summary>
    /// Flags as machine opens the bursts of one client (same IP fingerprint and user agent) opening at least
    /// <paramref name="minMessages"/> different messages of the campaign within <paramref name="window"/> either side of
    /// an open, where the opened message saw no human click afterwards: a scanner or a proxy prefetching a mailbox.
    /// </summary>
    /// <returns>Opens newly flagged.</returns>
    public int FlagBurstOpens(string campaignId, int minMessages, TimeSpan window)
    {
        using var connection = OpenConnection();
        var opens = new List<(long Id, long SendId, string Client, long At, bool Machine)>();
        using (var select = Command(connection, "select-campaign-opens"))
        {
            select.Parameters.AddWithValue("$campaign_id", campaignId);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                // Client and user agent together name the client: one NAT address serves many different readers.
                opens.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2) + "\u001f" + reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5) != 0));
            }
        }
        var lastClick = new Dictionary<long, long>();
        using (var select = Command(connection, "select-campaign-human-clicks"))
        {
            select.Parameters.AddWithValue("$campaign_id", campaignId);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                lastClick[reader.GetInt64(0)] = reader.GetInt64(1);
            }
        }
        var ms = (long)window.TotalMilliseconds;
        var flag = new List<long>();
        foreach (var group in opens.GroupBy(o => o.Client, StringComparer.Ordinal))
        {
            var list = group.ToList(); // already in time order
            var sends = new Dictionary<long, int>();
            int lo = 0, hi = 0;
            foreach (var open in list)
            {
                // Keep in `sends` the opens within [open.At - ms, open.At + ms].
                while (hi < list.Count && list[hi].At <= open.At + ms)
                {
                    sends[list[hi].SendId] = sends.GetValueOrDefault(list[hi].SendId) + 1;
                    hi++;
                }
                while (list[lo].At < open.At - ms)
                {
                    if (--sends[list[lo].SendId] == 0)
                    {
                        sends.Remove(list[lo].SendId);
                    }
                    lo++;
                }
                if (!open.Machine && sends.Count >= minMessages && !(lastClick.TryGetValue(open.SendId, out var click) && click >= open.At))
                {
                    flag.Add(open.Id);
                }
            }
        }
        if (flag.Count == 0)
        {
            return 0;
        }
        using var transaction = connection.BeginTransaction(deferred: false);
        using var update = Command(connection, "flag-machine-open", transaction);
        var id = update.Parameters.Add("$engagement_id", SqliteType.Integer);
        update.Parameters.AddWithValue("$reason", "burst");
        var flagged = 0;
        foreach (var e in flag)
        {
            id.Value = e;
            flagged += update.ExecuteNonQuery();
        }
        transaction.Commit();
        return flagged;
    }

    /// <summary>
    /// Attributes every order not yet attributed to the last human click (or open, with <paramref name="includeOpens"/>)
    /// of the same customer within <paramref name="window"/> before it, as a <c>conversion</c> engagement event with the
    /// order's revenue (its total, else the sum of its lines). Idempotent: an order is attributed once.
    /// </summary>
    /// <returns>Conversions added.</returns>
    public int AttributeOrders(TimeSpan window, bool includeOpens)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var candidates = new List<(string OrderId, string CustomerId, long At, string? Total, string? Currency, long SendId, string CampaignId, string? Variant)>();
        using (var select = Command(connection, "select-attribution-candidates", transaction))
        {
            select.Parameters.AddWithValue("$window_ms", (long)window.TotalMilliseconds);
            select.Parameters.AddWithValue("$opens", includeOpens ? 1 : 0);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                candidates.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), NullableString(reader, 3), NullableString(reader, 4),
                    reader.GetInt64(5), reader.GetString(6), NullableString(reader, 7)));
            }
        }
        using var lines = Command(connection, "select-order-line-amounts", transaction);
        var lineOrder = lines.Parameters.Add("$order_id", SqliteType.Text);
        using var insert = Command(connection, "insert-conversion", transaction);
        var added = 0;
        foreach (var c in candidates)
        {
            var revenue = c.Total is { } total ? DbValues.Money(total) : 0m;
            if (c.Total is null)
            {
                lineOrder.Value = c.OrderId;
                using var reader = lines.ExecuteReader();
                while (reader.Read())
                {
                    revenue += reader.GetInt64(0) * DbValues.Money(reader.GetString(1));
                }
            }
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("$send_id", c.SendId);
            insert.Parameters.AddWithValue("$campaign_id", c.CampaignId);
            insert.Parameters.AddWithValue("$customer_id", c.CustomerId);
            insert.Parameters.AddWithValue("$variant", DbValues.ToDb(c.Variant));
            insert.Parameters.AddWithValue("$at", c.At);
            insert.Parameters.AddWithValue("$revenue", DbValues.ToDb(revenue));
            insert.Parameters.AddWithValue("$currency", DbValues.ToDb(c.Currency));
            insert.Parameters.AddWithValue("$order_id", c.OrderId);
            added += insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return added;
    }

    /// <summary>One row per message of a campaign with what came back, in send order.</summary>
    public IReadOnlyList<MessageOutcome> LoadMessageOutcomes(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "report-sends");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = command.ExecuteReader();
        var list = new List<MessageOutcome>();
        while (reader.Read())
        {
            var revenue = new List<(decimal, string?)>();
            if (NullableString(reader, 12) is { } joined)
            {
                foreach (var item in joined.Split('|'))
                {
                    var space = item.IndexOf(' ', StringComparison.Ordinal);
                    var currency = item[(space + 1)..];
                    revenue.Add((DbValues.Money(item[..space]), currency.Length == 0 ? null : currency));
                }
            }
            list.Add(new MessageOutcome(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), NullableTime(reader, 4),
                reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10),
                reader.GetInt32(11), revenue));
        }
        return list;
    }

    private static CustomerPreferences ReadPreferences(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1).Split('|', StringSplitOptions.RemoveEmptyEntries),
        NullableTime(reader, 2),
        DbValues.Time(reader.GetInt64(3)));
}

/// <summary>What a customer chose in the preference centre.</summary>
/// <param name="MutedTypes">Campaign types they do not want.</param>
/// <param name="PausedUntil">No marketing mail before this moment (null: not paused).</param>
public sealed record CustomerPreferences(string CustomerId, IReadOnlyList<string> MutedTypes, DateTimeOffset? PausedUntil, DateTimeOffset UpdatedAt)
{
    /// <summary>Why a campaign of <paramref name="campaignType"/> must not go to this customer at <paramref name="now"/>, or null.</summary>
    public string? Excludes(string campaignType, DateTimeOffset now)
    {
        if (PausedUntil is { } until && until > now)
        {
            return "paused";
        }
        return MutedTypes.Contains(campaignType, StringComparer.Ordinal) ? "muted_topic" : null;
    }
}

/// <summary>One message of a campaign with the counts of what came back (human and machine opens apart).</summary>
/// <param name="Revenue">Each attributed conversion's revenue and currency.</param>
public sealed record MessageOutcome(
    long SendId,
    string Variant,
    string State,
    string? Reason,
    DateTimeOffset? SentAt,
    int HumanOpens,
    int MachineOpens,
    int HumanClicks,
    int Unsubscribes,
    int Complaints,
    int Bounces,
    int Conversions,
    IReadOnlyList<(decimal Amount, string? Currency)> Revenue);
