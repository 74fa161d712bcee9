using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Storage;

/// <summary>One change of a message's outbox state, as the sender commits it.</summary>
/// <param name="State"><c>sending</c> (a claim before the attempt), <c>sent</c>, <c>deferred</c>, <c>failed</c>,
/// <c>suppressed</c>, or <c>planned</c> (a schedule: <paramref name="ScheduledFor"/> is its best hour).</param>
/// <param name="ScheduledFor">When a deferred or planned message is due; null keeps the stored one.</param>
public sealed record OutboxChange(long SendId, string State, string? Reason = null, DateTimeOffset? ScheduledFor = null);

/// <summary>A campaign's delivery window (null before its first send).</summary>
public sealed record SendWindow(DateTimeOffset Start, DateTimeOffset End);

public sealed partial class MailsmithStore
{
    /// <summary>The next page of messages of <paramref name="campaignId"/> due at <paramref name="now"/> with a send id above <paramref name="after"/>.</summary>
    public IReadOnlyList<Send> LoadDueSends(string campaignId, DateTimeOffset now, bool ignoreSchedule, long after, int limit)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "deliver-select-due");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        command.Parameters.AddWithValue("$now", DbValues.ToDb(now));
        command.Parameters.AddWithValue("$ignore_schedule", ignoreSchedule ? 1 : 0);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadSends(command);
    }

    /// <summary>Planned messages of the campaign without a delivery time.</summary>
    public IReadOnlyList<Send> LoadUnscheduledSends(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "deliver-select-unscheduled");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        return ReadSends(command);
    }

    private static List<Send> ReadSends(SqliteCommand command)
    {
        var result = new List<Send>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(ReadSend(reader));
        }
        return result;
    }

    /// <summary>
    /// Commits outbox changes in one transaction (the sender's group commit: its connections share one).
    /// A claim of a message already sent changes nothing and is reported.
    /// </summary>
    /// <returns>The ids of claims that did not take (the message was no longer planned, deferred or in flight).</returns>
    public IReadOnlyList<long> ApplyOutboxChanges(IReadOnlyList<OutboxChange> changes, DateTimeOffset now)
    {
        using var session = OpenOutboxSession();
        return session.Apply(changes, now);
    }

    /// <summary>A connection with the outbox statements prepared once, for a writer that commits many transactions.</summary>
    public OutboxSession OpenOutboxSession() => new(this);

    /// <summary>
    /// One connection and the outbox's three statements, prepared once and reused by every transaction: the send path's
    /// group commit runs a transaction every few messages, and opening a connection with its pragmas and preparing
    /// the statements each time cost more than the updates (<c>mailsmith bench send</c>, docs/benchmarks.md).
    /// </summary>
    /// <remarks>Not thread-safe: one writer loop owns it.</remarks>
    public sealed class OutboxSession : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _claim;
        private readonly SqliteCommand _sent;
        private readonly SqliteCommand _outcome;

        internal OutboxSession(MailsmithStore store)
        {
            _connection = store.OpenConnection();
            _claim = store.Command(_connection, "deliver-claim");
            _sent = store.Command(_connection, "deliver-mark-sent");
            _outcome = store.Command(_connection, "deliver-mark-outcome");
            _claim.Parameters.Add("$send_id", SqliteType.Integer);
            _claim.Parameters.Add("$at", SqliteType.Integer);
            _sent.Parameters.Add("$send_id", SqliteType.Integer);
            _sent.Parameters.Add("$at", SqliteType.Integer);
            _outcome.Parameters.Add("$send_id", SqliteType.Integer);
            _outcome.Parameters.Add("$state", SqliteType.Text);
            _outcome.Parameters.Add("$reason", SqliteType.Text);
            _outcome.Parameters.Add("$scheduled_for", SqliteType.Integer);
            _outcome.Parameters.Add("$at", SqliteType.Integer);
        }

        /// <summary>Commits <paramref name="changes"/> in one transaction.</summary>
        /// <returns>The ids of claims that did not take.</returns>
        public IReadOnlyList<long> Apply(IReadOnlyList<OutboxChange> changes, DateTimeOffset now)
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            _claim.Transaction = _sent.Transaction = _outcome.Transaction = transaction;
            var at = DbValues.ToDb(now);
            _claim.Parameters["$at"].Value = at;
            _sent.Parameters["$at"].Value = at;
            _outcome.Parameters["$at"].Value = at;
            var refused = new List<long>();
            foreach (var change in changes)
            {
                switch (change.State)
                {
                    case SendState.Sending:
                        _claim.Parameters["$send_id"].Value = change.SendId;
                        if (_claim.ExecuteNonQuery() == 0)
                        {
                            refused.Add(change.SendId);
                        }
                        break;
                    case SendState.Sent:
                        _sent.Parameters["$send_id"].Value = change.SendId;
                        _sent.ExecuteNonQuery();
                        break;
                    default:
                        _outcome.Parameters["$send_id"].Value = change.SendId;
                        _outcome.Parameters["$state"].Value = change.State;
                        _outcome.Parameters["$reason"].Value = DbValues.ToDb(change.Reason);
                        _outcome.Parameters["$scheduled_for"].Value = DbValues.ToDb(change.ScheduledFor);
                        _outcome.ExecuteNonQuery();
                        break;
                }
            }
            transaction.Commit();
            _claim.Transaction = _sent.Transaction = _outcome.Transaction = null;
            return refused;
        }

        public void Dispose()
        {
            _claim.Dispose();
            _sent.Dispose();
            _outcome.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>When each customer was sent a message by another campaign since <paramref name="since"/> (the frequency cap).</summary>
    public IReadOnlyDictionary<string, List<DateTimeOffset>> LoadRecentSends(string exceptCampaignId, DateTimeOffset since)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "deliver-select-recent-sent");
        command.Parameters.AddWithValue("$campaign_id", exceptCampaignId);
        command.Parameters.AddWithValue("$since", DbValues.ToDb(since));
        var result = new Dictionary<string, List<DateTimeOffset>>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (!result.TryGetValue(id, out var list))
            {
                result[id] = list = [];
            }
            list.Add(DbValues.Time(reader.GetInt64(1)));
        }
        return result;
    }

    /// <summary>Customers who must not be mailed now, with the reason (<c>no_consent</c>, <c>unsubscribed</c>).</summary>
    public IReadOnlyDictionary<string, string> LoadUnmailableCustomers()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "deliver-select-unmailable");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.TryAdd(reader.GetString(0), reader.GetString(1));
        }
        return result;
    }

    /// <summary>Fixes the campaign's delivery window unless an earlier send did; returns the stored one.</summary>
    public SendWindow EnsureSendWindow(string campaignId, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        using var connection = OpenConnection();
        using (var set = Command(connection, "deliver-set-window"))
        {
            set.Parameters.AddWithValue("$campaign_id", campaignId);
            set.Parameters.AddWithValue("$start", DbValues.ToDb(start));
            set.Parameters.AddWithValue("$end", DbValues.ToDb(end));
            set.Parameters.AddWithValue("$at", DbValues.ToDb(now));
            set.ExecuteNonQuery();
        }
        using var select = Command(connection, "deliver-select-window");
        select.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = select.ExecuteReader();
        if (!reader.Read() || reader.IsDBNull(0))
        {
            throw new KeyNotFoundException($"no campaign '{campaignId}'");
        }
        return new SendWindow(DbValues.Time(reader.GetInt64(0)), DbValues.Time(reader.GetInt64(1)));
    }

    /// <summary>The campaign's delivery window, or null before its first send.</summary>
    public SendWindow? LoadSendWindow(string campaignId)
    {
        using var connection = OpenConnection();
        using var select = Command(connection, "deliver-select-window");
        select.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = select.ExecuteReader();
        return reader.Read() && !reader.IsDBNull(0) ? new SendWindow(DbValues.Time(reader.GetInt64(0)), DbValues.Time(reader.GetInt64(1))) : null;
    }

    /// <summary>Campaigns started by a send, not paused, with a message due at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> CampaignsWithDueSends(DateTimeOffset now)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "deliver-select-campaigns-due");
        command.Parameters.AddWithValue("$now", DbValues.ToDb(now));
        var result = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    /// <summary>Messages of the campaign not yet in a final state.</summary>
    public long CountOpenSends(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "deliver-count-open");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>This process as a lease holder: <c>host:pid</c>.</summary>
    public static string LeaseHolder { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Takes (or renews) the right to send the campaign until <paramref name="expiresAt"/>. Refused while another live
    /// holder has it; a holder on this host whose process is gone (kill -9) is taken over at once.
    /// </summary>
    /// <returns>Null when taken, else the current holder.</returns>
    public string? TryTakeSendLease(string campaignId, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var select = Command(connection, "deliver-select-lease", transaction))
        {
            select.Parameters.AddWithValue("$campaign_id", campaignId);
            using var reader = select.ExecuteReader();
            if (reader.Read())
            {
                var holder = reader.GetString(0);
                var expires = DbValues.Time(reader.GetInt64(1));
                if (holder != LeaseHolder && expires > now && IsAlive(holder))
                {
                    return holder;
                }
            }
        }
        using var upsert = Command(connection, "deliver-upsert-lease", transaction);
        upsert.Parameters.AddWithValue("$campaign_id", campaignId);
        upsert.Parameters.AddWithValue("$holder", LeaseHolder);
        upsert.Parameters.AddWithValue("$expires_at", DbValues.ToDb(expiresAt));
        upsert.ExecuteNonQuery();
        transaction.Commit();
        return null;
    }

    /// <summary>Gives the lease back (only if this process holds it).</summary>
    public void ReleaseSendLease(string campaignId)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "deliver-delete-lease");
        command.Parameters.AddWithValue("$campaign_id", campaignId);
        command.Parameters.AddWithValue("$holder", LeaseHolder);
        command.ExecuteNonQuery();
    }

    // A holder on another host is taken as alive until its lease expires.
    private static bool IsAlive(string holder)
    {
        var colon = holder.LastIndexOf(':');
        if (colon < 0 || holder[..colon] != Environment.MachineName || !int.TryParse(holder[(colon + 1)..], out var pid))
        {
            return true;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
