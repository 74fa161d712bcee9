using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mailsmith.Profile;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Storage;

// Profiles: derived data, replaced whole by each run (docs/profiles.md, "Storage").
public sealed partial class MailsmithStore
{
    /// <summary>JSON for the stored run summaries and affinity maps: NaN/∞ allowed (a Gamma-Gamma mean can be undefined).</summary>
    internal static readonly JsonSerializerOptions ProfileJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Replaces all stored profiles with <paramref name="profiles"/> in one transaction.</summary>
    public void SaveProfiles(IEnumerable<CustomerProfile> profiles, DateTimeOffset asOf, DateTimeOffset computedAt)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        WriteProfiles(connection, transaction, profiles, asOf, computedAt);
        transaction.Commit();
    }

    /// <summary>
    /// Replaces the stored profiles and product sentiment with <paramref name="run"/>'s and records the run, all in one
    /// transaction: a reader sees the old run or the new one, never a mix.
    /// </summary>
    public void SaveProfileRun(ProfileRun run, DateTimeOffset computedAt, string fingerprint)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        WriteProfiles(connection, transaction, run.Profiles.Values, run.Summary.AsOf, computedAt);
        using (var delete = Command(connection, "delete-product-sentiment", transaction))
        {
            delete.ExecuteNonQuery();
        }
        using (var insert = Command(connection, "insert-product-sentiment", transaction))
        {
            var product = insert.Parameters.Add("$product_id", SqliteType.Text);
            var reviews = insert.Parameters.Add("$reviews", SqliteType.Integer);
            var scored = insert.Parameters.Add("$scored", SqliteType.Integer);
            var sentiment = insert.Parameters.Add("$mean_sentiment", SqliteType.Real);
            var rating = insert.Parameters.Add("$mean_rating", SqliteType.Real);
            foreach (var (id, s) in run.ProductSentiment)
            {
                product.Value = id;
                reviews.Value = s.Reviews;
                scored.Value = s.Scored;
                sentiment.Value = s.MeanSentiment is { } m ? m : DBNull.Value;
                rating.Value = s.MeanRating;
                insert.ExecuteNonQuery();
            }
        }
        using (var record = Command(connection, "insert-profile-run", transaction))
        {
            record.Parameters.AddWithValue("$computed_at", DbValues.ToDb(computedAt));
            record.Parameters.AddWithValue("$as_of", DbValues.ToDb(run.Summary.AsOf));
            record.Parameters.AddWithValue("$customers", run.Profiles.Count);
            record.Parameters.AddWithValue("$fingerprint", fingerprint);
            record.Parameters.AddWithValue("$summary", JsonSerializer.Serialize(run.Summary, ProfileJson));
            record.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private void WriteProfiles(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<CustomerProfile> profiles, DateTimeOffset asOf, DateTimeOffset computedAt)
    {
        // Bulk path (measured in docs/benchmarks.md, "Profile stage at scale"): the secondary index is dropped and rebuilt
        // once at the end instead of being updated per row; rows go in customer-id order so the UNIQUE index only ever
        // appends; ProfileBatchRows rows share one INSERT; and values are bound by position straight to SQLite
        // (ProfileWriter). All of it inside the caller's one transaction.
        foreach (var name in (string[])["delete-profiles", "drop-profile-indexes"])
        {
            using var command = Command(connection, name, transaction);
            command.ExecuteNonQuery();
        }
        var ordered = profiles.ToArray();
        Array.Sort(ordered, static (a, b) => string.CompareOrdinal(a.CustomerId, b.CustomerId));
        using var insert = Command(connection, "insert-profile", transaction);
        using (var writer = new ProfileWriter(connection, insert.CommandText, DbValues.ToDb(computedAt), DbValues.ToDb(asOf)))
        {
            writer.Write(ordered);
        }
        using var index = Command(connection, "create-profile-indexes", transaction);
        index.ExecuteNonQuery();
    }

    private static object Nullable<T>(T? value) where T : struct => value is { } v ? v : DBNull.Value;

    private static object AffinityJson(IReadOnlyDictionary<string, double> map)
    {
        if (map.Count == 0)
        {
            return DBNull.Value;
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = ProfileJson.Encoder }))
        {
            json.WriteStartObject();
            foreach (var (key, value) in map)
            {
                json.WriteNumber(key, Math.Round(value, 4));
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static AffinityDictionary ReadAffinity(SqliteDataReader reader, int ordinal, Dictionary<string, string> pool)
    {
        if (reader.IsDBNull(ordinal))
        {
            return AffinityDictionary.Empty;
        }
        var pairs = new List<KeyValuePair<string, double>>();
        var json = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(reader.GetString(ordinal)));
        while (json.Read())
        {
            if (json.TokenType == JsonTokenType.PropertyName)
            {
                var key = json.GetString()!;
                if (!pool.TryGetValue(key, out var interned))
                {
                    pool[key] = interned = key;
                }
                json.Read();
                pairs.Add(KeyValuePair.Create(interned, json.GetDouble()));
            }
        }
        return AffinityDictionary.From(pairs);
    }

    /// <summary>Every stored profile, keyed by customer id (empty before the first profile run).</summary>
    public IReadOnlyDictionary<string, CustomerProfile> LoadProfiles()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-profiles");
        using var r = command.ExecuteReader();
        var result = new Dictionary<string, CustomerProfile>(StringComparer.Ordinal);
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        double? D(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
        int? I(int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        decimal? M(int i) => r.IsDBNull(i) ? null : DbValues.Money(r.GetString(i));
        while (r.Read())
        {
            var top = r.GetString(10);
            var profile = new CustomerProfile(
                r.GetString(0), D(3), r.GetInt32(4), DbValues.Money(r.GetString(5)), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8),
                r.GetString(9), top.Length == 0 ? [] : top.Split('|'), r.GetString(11), I(12), r.GetDouble(13), M(15), r.GetDouble(14))
            {
                RfmSegment = S(16),
                Cluster = I(17),
                ClusterLabel = S(18),
                PAlive = D(19),
                ExpectedPurchases30 = D(20),
                ExpectedPurchases90 = D(21),
                ExpectedPurchases365 = D(22),
                ExpectedOrderValue = M(23),
                Clv365 = M(24),
                NextOrderDate = S(25) is { } date ? DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                CategoryAffinity = ReadAffinity(r, 26, pool),
                BrandAffinity = ReadAffinity(r, 27, pool),
                DiscountSensitivity = D(28),
                ShrunkDiscountShare = D(29),
                ReviewSentiment = D(30),
                ReviewCount = r.GetInt32(31),
                PreferredLanguage = S(32),
                BestHourOfWeek = I(33),
                BestHourConfidence = D(34),
                SendTimeCounts = r.IsDBNull(35) ? null : SendTimeHistogram.FromBytes((byte[])r.GetValue(35)),
            };
            result[profile.CustomerId] = profile;
        }
        return result;
    }

    /// <summary>Review sentiment per product from the last profile run.</summary>
    public IReadOnlyDictionary<string, ProductSentiment> LoadProductSentiment()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-product-sentiment");
        using var r = command.ExecuteReader();
        var result = new Dictionary<string, ProductSentiment>(StringComparer.Ordinal);
        while (r.Read())
        {
            result[r.GetString(0)] = new ProductSentiment(r.GetInt32(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetDouble(3), r.GetDouble(4));
        }
        return result;
    }

    /// <summary>The latest profile run's fingerprint and summary, or null before the first run.</summary>
    public (string Fingerprint, DateTimeOffset ComputedAt, ProfileRunSummary Summary)? LoadLatestProfileRun()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-latest-profile-run");
        using var r = command.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }
        var summary = JsonSerializer.Deserialize<ProfileRunSummary>(r.GetString(4), ProfileJson)
            ?? throw new InvalidDataException($"{Path}: profile_runs.summary is empty");
        return (r.GetString(3), DbValues.Time(r.GetInt64(0)), summary);
    }

    /// <summary>Human opens and clicks per customer (machine opens excluded), for the send-time profile.</summary>
    public ProfileEngagement LoadProfileEngagement()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-profile-engagement");
        using var r = command.ExecuteReader();
        var opens = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        var clicks = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        while (r.Read())
        {
            var map = r.GetString(1) == "click" ? clicks : opens;
            var id = r.GetString(0);
            if (!map.TryGetValue(id, out var list))
            {
                map[id] = list = [];
            }
            list.Add(DbValues.Time(r.GetInt64(2)).UtcTicks);
        }
        var result = new Dictionary<string, EngagementTouches>(StringComparer.Ordinal);
        foreach (var id in opens.Keys.Union(clicks.Keys))
        {
            result[id] = new EngagementTouches(opens.GetValueOrDefault(id)?.ToArray() ?? [], clicks.GetValueOrDefault(id)?.ToArray() ?? []);
        }
        return new ProfileEngagement(result);
    }

    /// <summary>A cheap summary of everything a profile run reads (row counts and latest ids/times).</summary>
    public string ProfileDataFingerprint()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-profile-fingerprint");
        return (string)command.ExecuteScalar()!;
    }
}
