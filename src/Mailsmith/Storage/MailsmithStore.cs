using System.Globalization;
using System.Text.Json;
using Mailsmith.Compose;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, so the CLI and a server process can share it.
/// All row access lives here; stages receive and hand back typed records.
/// </summary>
/// <remarks>
/// Thread-safe: each call opens its own pooled connection. Opening the store runs any pending migrations,
/// each in its own transaction, and records them in <c>schema_migrations</c>.
/// </remarks>
public sealed partial class MailsmithStore
{
    private readonly string _connectionString;

    private MailsmithStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The SQL of this store's dialect.</summary>
    public SqlCatalog Sql => SqlCatalog.Sqlite;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and brings its schema up to date.</summary>
    public static MailsmithStore Open(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        var store = new MailsmithStore(path);
        using var connection = store.OpenConnection();
        Execute(connection, "PRAGMA journal_mode = WAL;");
        store.Migrate(connection);
        return store;
    }

    /// <summary>Opens a pooled connection with the store's pragmas applied. The caller disposes it.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000; PRAGMA temp_store = MEMORY;");
        return connection;
    }

    /// <summary>The schema version after migrations.</summary>
    public int SchemaVersion()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-schema-version");
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Migrate(SqliteConnection connection)
    {
        using (var create = Command(connection, "create-schema-migrations"))
        {
            create.ExecuteNonQuery();
        }
        // Every migration not yet recorded, not only those above the highest: migration numbers are reserved per
        // piece of work and land in any order, so a database at version 5 may still lack 4.
        var applied = new HashSet<int>();
        using (var select = Command(connection, "select-applied-migrations"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                applied.Add(reader.GetInt32(0));
            }
        }
        foreach (var (version, name, sql) in Sql.Migrations.Where(m => !applied.Contains(m.Version)))
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, sql, transaction);
            using var record = Command(connection, "insert-schema-migration", transaction);
            record.Parameters.AddWithValue("$version", version);
            record.Parameters.AddWithValue("$name", name);
            record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            record.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <summary>Creates a command for the named query, bound to <paramref name="connection"/> and <paramref name="transaction"/>.</summary>
    public SqliteCommand Command(SqliteConnection connection, string queryName, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = Sql[queryName];
        command.Transaction = transaction;
        return command;
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private long Count(string queryName)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, queryName);
        return (long)command.ExecuteScalar()!;
    }

    // ---- store data -------------------------------------------------------------------------

    /// <summary>Row counts of the imported tables.</summary>
    public StoreCounts Counts() => new(
        Count("count-customers"), Count("count-products"), Count("count-orders"), Count("count-events"), Count("count-reviews"), Count("count-campaigns"));

    /// <summary>The latest timestamp in the data (events, orders, signups), or null for an empty store.</summary>
    public DateTimeOffset? LatestActivity()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "max-activity-time");
        return command.ExecuteScalar() is long ms ? DbValues.Time(ms) : null;
    }

    public IReadOnlyList<Customer> LoadCustomers()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-customers");
        using var reader = command.ExecuteReader();
        var list = new List<Customer>();
        // A locale or a time zone is one of a few values: hold each string once, not once per customer.
        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        string Shared(string value) => shared.TryGetValue(value, out var s) ? s : shared[value] = value;
        while (reader.Read())
        {
            list.Add(new Customer(
                reader.GetString(0), reader.GetString(1), NullableString(reader, 2), NullableString(reader, 3), Shared(reader.GetString(4)),
                NullableString(reader, 5) is { } zone ? Shared(zone) : null, NullableTime(reader, 6),
                reader.IsDBNull(7) ? null : DateOnly.ParseExact(reader.GetString(7), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                reader.GetInt64(8) != 0, NullableTime(reader, 9), NullableTime(reader, 10)));
        }
        return list;
    }

    /// <summary>Lower-cased addresses that must never be mailed (bounces, complaints, manual suppressions).</summary>
    public IReadOnlySet<string> LoadSuppressedEmails()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-suppressed-emails");
        using var reader = command.ExecuteReader();
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read())
        {
            set.Add(reader.GetString(0));
        }
        return set;
    }

    /// <summary>Adds an address to the suppression list (idempotent).</summary>
    public void Suppress(string email, string reason, DateTimeOffset at)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "insert-suppression");
        command.Parameters.AddWithValue("$email", email);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$at", DbValues.ToDb(at));
        command.ExecuteNonQuery();
    }

    /// <summary>Marks a customer unsubscribed (sticky: the first time wins).</summary>
    public void MarkUnsubscribed(string customerId, DateTimeOffset at)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "mark-unsubscribed");
        command.Parameters.AddWithValue("$customer_id", customerId);
        command.Parameters.AddWithValue("$at", DbValues.ToDb(at));
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<Product> LoadProducts()
    {
        using var connection = OpenConnection();
        var texts = new Dictionary<string, Dictionary<string, LocalizedText>>(StringComparer.Ordinal);
        using (var command = Command(connection, "select-product-texts"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetString(0);
                if (!texts.TryGetValue(id, out var map))
                {
                    texts[id] = map = new Dictionary<string, LocalizedText>(StringComparer.OrdinalIgnoreCase);
                }
                map[reader.GetString(1)] = new LocalizedText(NullableString(reader, 2) ?? "", NullableString(reader, 3));
            }
        }
        var list = new List<Product>();
        using (var command = Command(connection, "select-products"))
        using (var reader = command.ExecuteReader())
        {
            var empty = new Dictionary<string, LocalizedText>();
            while (reader.Read())
            {
                var id = reader.GetString(0);
                var tags = NullableString(reader, 10);
                list.Add(new Product(
                    id, reader.GetString(1), NullableString(reader, 2), reader.GetString(3), NullableString(reader, 4),
                    DbValues.Money(reader.GetString(5)), reader.GetString(6), reader.GetInt64(7) != 0,
                    NullableString(reader, 8), NullableString(reader, 9),
                    string.IsNullOrEmpty(tags) ? [] : tags.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    texts.TryGetValue(id, out var map) ? map : empty));
            }
        }
        return list;
    }

    public IReadOnlyList<Order> LoadOrders()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-orders");
        using var reader = command.ExecuteReader();
        var list = new List<Order>();
        while (reader.Read())
        {
            list.Add(new Order(
                reader.GetString(0), reader.GetString(1), DbValues.Time(reader.GetInt64(2)),
                NullableMoney(reader, 3), NullableString(reader, 4), NullableString(reader, 5), NullableMoney(reader, 6)));
        }
        return list;
    }

    public IReadOnlyList<OrderLine> LoadOrderLines()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-order-lines");
        using var reader = command.ExecuteReader();
        var list = new List<OrderLine>();
        while (reader.Read())
        {
            list.Add(new OrderLine(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), DbValues.Money(reader.GetString(3))));
        }
        return list;
    }

    /// <summary>Every event in time order, column by column.</summary>
    /// <param name="customers">The loaded customers, whose id strings the table shares (optional).</param>
    public EventTable LoadEvents(IReadOnlyList<Customer>? customers = null)
    {
        using var connection = OpenConnection();
        int total;
        using (var count = Command(connection, "count-events"))
        {
            // The exact size up front: ten million events must not be grown by doubling.
            total = (int)(long)count.ExecuteScalar()!;
        }
        using var command = Command(connection, "select-events");
        using var reader = command.ExecuteReader();
        var builder = new EventTable.Builder(total, customers);
        while (reader.Read())
        {
            var product = reader.GetString(3);
            var query = reader.GetString(4);
            builder.Add(reader.GetString(0), reader.GetString(1), DbValues.Time(reader.GetInt64(2)),
                product.Length == 0 ? null : product, query.Length == 0 ? null : query, NullableString(reader, 5));
        }
        return builder.Build();
    }

    public IReadOnlyList<Review> LoadReviews()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-reviews");
        using var reader = command.ExecuteReader();
        var list = new List<Review>();
        while (reader.Read())
        {
            list.Add(new Review(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), NullableString(reader, 3), NullableTime(reader, 4)));
        }
        return list;
    }

    // ---- profiles ----------------------------------------------------------------------------

    // SaveProfiles, LoadProfiles and the profile runs live in MailsmithStore.Profiles.cs.

    // ---- campaigns ---------------------------------------------------------------------------

    /// <summary>Creates a campaign with the next free id (<c>cmp-0001</c>, …).</summary>
    /// <param name="offer">The campaign's offer (checked by <see cref="CampaignOffer.Validate"/>), stored in the same transaction.</param>
    public Campaign CreateCampaign(string type, string name, string audience, IReadOnlyList<CampaignVariant> variants, long seed, DateTimeOffset now,
        CampaignOffer? offer = null)
    {
        offer?.Validate();
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        long count;
        using (var countCommand = Command(connection, "count-campaigns", transaction))
        {
            count = (long)countCommand.ExecuteScalar()!;
        }
        // Ids are numbered; a gap (a deleted campaign) is skipped by probing upward.
        string id;
        do
        {
            count++;
            id = $"cmp-{count:0000}";
        }
        while (CampaignExists(connection, transaction, id));
        using (var command = Command(connection, "insert-campaign", transaction))
        {
            command.Parameters.AddWithValue("$campaign_id", id);
            command.Parameters.AddWithValue("$type", type);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$audience", audience);
            command.Parameters.AddWithValue("$status", CampaignStatus.Draft);
            command.Parameters.AddWithValue("$variants", JsonSerializer.Serialize(variants.Select(v => new { name = v.Name, weight = v.Weight })));
            command.Parameters.AddWithValue("$seed", seed);
            command.Parameters.AddWithValue("$at", DbValues.ToDb(now));
            command.ExecuteNonQuery();
        }
        if (offer is not null)
        {
            using var command = Command(connection, "insert-campaign-offer", transaction);
            command.Parameters.AddWithValue("$campaign_id", id);
            command.Parameters.AddWithValue("$code", (object?)offer.Code ?? DBNull.Value);
            command.Parameters.AddWithValue("$percent", (object?)offer.Percent ?? DBNull.Value);
            command.Parameters.AddWithValue("$amount", offer.Amount is { } amount ? amount.ToString(CultureInfo.InvariantCulture) : DBNull.Value);
            command.Parameters.AddWithValue("$currency", (object?)offer.Currency ?? DBNull.Value);
            command.Parameters.AddWithValue("$expires", offer.Expires is { } day ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : DBNull.Value);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        return new Campaign(id, type, name, audience, CampaignStatus.Draft, variants, seed, now, now) { Offer = offer };
    }

    private bool CampaignExists(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        using var command = Command(connection, "select-campaign", transaction);
        command.Parameters.AddWithValue("$campaign_id", id);
        using var reader = command.ExecuteReader();
        return reader.Read();
    }

    public Campaign? GetCampaign(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-campaign");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCampaign(reader) : null;
    }

    public IReadOnlyList<Campaign> ListCampaigns()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-campaigns");
        using var reader = command.ExecuteReader();
        var list = new List<Campaign>();
        while (reader.Read())
        {
            list.Add(ReadCampaign(reader));
        }
        return list;
    }

    public void SetCampaignStatus(string campaignId, string status, DateTimeOffset now)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "update-campaign-status");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$at", DbValues.ToDb(now));
        command.ExecuteNonQuery();
    }

    private static Campaign ReadCampaign(SqliteDataReader reader)
    {
        using var variants = JsonDocument.Parse(reader.GetString(5));
        var list = variants.RootElement.EnumerateArray()
            .Select(v => new CampaignVariant(v.GetProperty("name").GetString()!, v.GetProperty("weight").GetDouble()))
            .ToList();
        CampaignOffer? offer = reader.IsDBNull(9) ? null : new CampaignOffer(
            reader.IsDBNull(10) ? null : reader.GetString(10),
            reader.IsDBNull(11) ? null : reader.GetInt32(11),
            reader.IsDBNull(12) ? null : decimal.Parse(reader.GetString(12), NumberStyles.Number, CultureInfo.InvariantCulture),
            reader.IsDBNull(13) ? null : reader.GetString(13),
            reader.IsDBNull(14) ? null : DateOnly.ParseExact(reader.GetString(14), "yyyy-MM-dd", CultureInfo.InvariantCulture));
        return new Campaign(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            list, reader.GetInt64(6), DbValues.Time(reader.GetInt64(7)), DbValues.Time(reader.GetInt64(8))) { Offer = offer };
    }

    // ---- sends and engagement ----------------------------------------------------------------

    /// <summary>Records planned (or suppressed) sends in one transaction; existing rows for the same key are kept as they are.</summary>
    /// <returns>The rows as stored, in the order given.</returns>
    public IReadOnlyList<Send> PlanSends(IEnumerable<SendPlan> plans, DateTimeOffset now)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = Command(connection, "plan-send", transaction);
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "$campaign_id", "$customer_id", "$variant", "$assignment_probability", "$idempotency_key", "$message_id", "$state", "$reason", "$at", "$scheduled_for" })
        {
            p[name] = insert.Parameters.Add(name, SqliteType.Text);
        }
        using var select = Command(connection, "select-send-by-key", transaction);
        var key = select.Parameters.Add("$idempotency_key", SqliteType.Text);
        var result = new List<Send>();
        foreach (var plan in plans)
        {
            p["$campaign_id"].Value = plan.CampaignId;
            p["$customer_id"].Value = plan.CustomerId;
            p["$variant"].Value = plan.Variant;
            p["$assignment_probability"].Value = plan.AssignmentProbability;
            p["$idempotency_key"].Value = plan.IdempotencyKey;
            p["$message_id"].Value = plan.MessageId;
            p["$state"].Value = plan.State;
            p["$reason"].Value = DbValues.ToDb(plan.Reason);
            p["$at"].Value = DbValues.ToDb(now);
            p["$scheduled_for"].Value = DbValues.ToDb(plan.ScheduledFor);
            insert.ExecuteNonQuery();
            key.Value = plan.IdempotencyKey;
            using var reader = select.ExecuteReader();
            reader.Read();
            result.Add(ReadSend(reader));
        }
        transaction.Commit();
        return result;
    }

    /// <summary>Moves sends to a new state in one transaction.</summary>
    public void UpdateSendStates(IEnumerable<SendStateChange> changes, DateTimeOffset now)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var sending = Command(connection, "mark-send-sending", transaction);
        using var sent = Command(connection, "mark-send-sent", transaction);
        using var other = Command(connection, "mark-send-failed", transaction);
        foreach (var change in changes)
        {
            var command = change.State switch
            {
                SendState.Sending => sending,
                SendState.Sent => sent,
                _ => other,
            };
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$send_id", change.SendId);
            command.Parameters.AddWithValue("$at", DbValues.ToDb(now));
            if (command == other)
            {
                command.Parameters.AddWithValue("$state", change.State);
                command.Parameters.AddWithValue("$reason", DbValues.ToDb(change.Reason));
            }
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public IReadOnlyList<Send> LoadSends(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-sends-for-campaign");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = command.ExecuteReader();
        var list = new List<Send>();
        while (reader.Read())
        {
            list.Add(ReadSend(reader));
        }
        return list;
    }

    /// <summary>Customers who were sent a campaign of <paramref name="type"/> other than <paramref name="exceptCampaignId"/>.</summary>
    public IReadOnlySet<string> CustomersSentType(string type, string exceptCampaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-customers-sent-type");
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$campaign_id", exceptCampaignId);
        using var reader = command.ExecuteReader();
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            set.Add(reader.GetString(0));
        }
        return set;
    }

    /// <summary>Send counts by state for a campaign.</summary>
    public IReadOnlyDictionary<string, long> CountSendsByState(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "count-sends-by-state");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = command.ExecuteReader();
        var map = new SortedDictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            map[reader.GetString(0)] = reader.GetInt64(1);
        }
        return map;
    }

    public void RecordEngagement(EngagementEvent e)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "insert-engagement");
        command.Parameters.AddWithValue("$send_id", e.SendId is { } id ? id : DBNull.Value);
        command.Parameters.AddWithValue("$campaign_id", e.CampaignId);
        command.Parameters.AddWithValue("$customer_id", e.CustomerId);
        command.Parameters.AddWithValue("$variant", DbValues.ToDb(e.Variant));
        command.Parameters.AddWithValue("$type", e.Type);
        command.Parameters.AddWithValue("$occurred_at", DbValues.ToDb(e.OccurredAt));
        command.Parameters.AddWithValue("$url", DbValues.ToDb(e.Url));
        command.Parameters.AddWithValue("$revenue", DbValues.ToDb(e.Revenue));
        command.Parameters.AddWithValue("$user_agent", DbValues.ToDb(e.UserAgent));
        command.Parameters.AddWithValue("$is_machine", e.IsMachine ? 1 : 0);
        command.ExecuteNonQuery();
    }

    public IReadOnlyDictionary<string, long> CountEngagementByType(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "count-engagement-by-type");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = command.ExecuteReader();
        var map = new SortedDictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            map[reader.GetString(0)] = reader.GetInt64(1);
        }
        return map;
    }

    /// <summary>Every engagement event of a campaign, oldest first.</summary>
    public IReadOnlyList<EngagementEvent> LoadEngagement(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-engagement-for-campaign");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = command.ExecuteReader();
        var list = new List<EngagementEvent>();
        while (reader.Read())
        {
            list.Add(new EngagementEvent(
                reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), reader.GetString(4),
                DbValues.Time(reader.GetInt64(5)), NullableString(reader, 6), NullableMoney(reader, 7), NullableString(reader, 8), reader.GetInt64(9) != 0));
        }
        return list;
    }

    private static Send ReadSend(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4), r.GetString(5), r.GetString(6), r.GetString(7),
        NullableString(r, 8), r.GetInt32(9), DbValues.Time(r.GetInt64(10)), NullableTime(r, 11), NullableTime(r, 12), DbValues.Time(r.GetInt64(13)));

    // ---- helpers -----------------------------------------------------------------------------

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? NullableTime(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : DbValues.Time(reader.GetInt64(ordinal));

    private static decimal? NullableMoney(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : DbValues.Money(reader.GetString(ordinal));
}

/// <summary>Row counts of the store's main tables.</summary>
public sealed record StoreCounts(long Customers, long Products, long Orders, long Events, long Reviews, long Campaigns);

/// <summary>A send to record before any attempt.</summary>
public sealed record SendPlan(
    string CampaignId,
    string CustomerId,
    string Variant,
    double AssignmentProbability,
    string IdempotencyKey,
    string MessageId,
    string State,
    string? Reason,
    DateTimeOffset? ScheduledFor);

/// <summary>A state change of one send.</summary>
public sealed record SendStateChange(long SendId, string State, string? Reason = null);
