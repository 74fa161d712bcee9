using Microsoft.Data.Sqlite;

namespace Mailsmith.Storage;

/// <summary>Kinds of a delivery report read from a bounce mailbox (<c>delivery_reports.kind</c>).</summary>
public static class DeliveryReportKind
{
    /// <summary>A permanent failure (DSN Action failed, Status 5.x.x): suppresses the address.</summary>
    public const string HardBounce = "hard_bounce";
    /// <summary>A transient failure or delay (Status 4.x.x): recorded, suppresses nothing.</summary>
    public const string SoftBounce = "soft_bounce";
    /// <summary>An ARF abuse report: suppresses the address.</summary>
    public const string Complaint = "complaint";
}

/// <summary>One recipient of a DSN or ARF report, matched (or not) to a message of ours, as stored.</summary>
/// <param name="ReportKey">The report's Message-ID, else a SHA-256 of its bytes: with the recipient, what makes a rerun add nothing.</param>
/// <param name="Recipient">The address reported on, lower case; empty when the report names none.</param>
/// <param name="Email">The address to suppress: the one our matched message went to, else <paramref name="Recipient"/>.</param>
/// <param name="MatchedBy"><c>token</c>, <c>message_id</c>, <c>recipient</c> or <c>none</c>.</param>
public sealed record DeliveryReportRow(
    string ReportKey, string Recipient, string Kind, string? Status, string Diagnostic, Send? Send, string Email,
    string MatchedBy, string Source, DateTimeOffset ReportedAt);

/// <summary>What storing a batch of reports did.</summary>
/// <param name="IsNew">Per row: not stored before (false: stored by an earlier run or earlier in the batch; nothing was done for it).</param>
/// <param name="Suppressed">Addresses newly put on the suppression list.</param>
/// <param name="Events">Bounce and complaint engagement events added to messages.</param>
public sealed record DeliveryReportsStored(IReadOnlyList<bool> IsNew, int Suppressed, int Events);

// Delivery reports that arrive as mail after sending (bounce mailboxes, the DSN webhook). Queries/bounces.sql.
public sealed partial class MailsmithStore
{
    /// <summary>
    /// Stores reports in one transaction. A report not stored before that is a hard bounce or a complaint suppresses
    /// the address and adds a <c>bounce</c>/<c>complaint</c> engagement event to its message (once per message and
    /// type, as <see cref="RecordDeliveryFeedback"/>); a soft bounce is only stored. A report stored before changes nothing.
    /// </summary>
    public DeliveryReportsStored RecordDeliveryReports(IReadOnlyList<DeliveryReportRow> rows, DateTimeOffset now)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = Command(connection, "bounces-insert-report", transaction);
        using var suppress = Command(connection, "insert-suppression", transaction);
        using var engagement = Command(connection, "insert-feedback-engagement", transaction);
        var isNew = new bool[rows.Count];
        int suppressed = 0, events = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("$report_key", row.ReportKey);
            insert.Parameters.AddWithValue("$recipient", row.Recipient);
            insert.Parameters.AddWithValue("$kind", row.Kind);
            insert.Parameters.AddWithValue("$status", DbValues.ToDb(row.Status));
            insert.Parameters.AddWithValue("$diagnostic", row.Diagnostic);
            insert.Parameters.AddWithValue("$send_id", row.Send is { } s ? s.SendId : DBNull.Value);
            insert.Parameters.AddWithValue("$campaign_id", DbValues.ToDb(row.Send?.CampaignId));
            insert.Parameters.AddWithValue("$matched_by", row.MatchedBy);
            insert.Parameters.AddWithValue("$source", row.Source);
            insert.Parameters.AddWithValue("$reported_at", DbValues.ToDb(row.ReportedAt));
            insert.Parameters.AddWithValue("$imported_at", DbValues.ToDb(now));
            if (insert.ExecuteNonQuery() == 0)
            {
                continue;
            }
            isNew[i] = true;
            if (row.Kind == DeliveryReportKind.SoftBounce)
            {
                continue;
            }
            var type = row.Kind == DeliveryReportKind.Complaint ? "complaint" : "bounce";
            if (row.Email.Length > 0)
            {
                suppress.Parameters.Clear();
                suppress.Parameters.AddWithValue("$email", row.Email.Trim());
                suppress.Parameters.AddWithValue("$reason", type + ": " + row.Diagnostic);
                suppress.Parameters.AddWithValue("$at", DbValues.ToDb(row.ReportedAt));
                suppressed += suppress.ExecuteNonQuery();
            }
            if (row.Send is { } send)
            {
                engagement.Parameters.Clear();
                engagement.Parameters.AddWithValue("$send_id", send.SendId);
                engagement.Parameters.AddWithValue("$type", type);
                engagement.Parameters.AddWithValue("$at", DbValues.ToDb(row.ReportedAt));
                engagement.Parameters.AddWithValue("$reason", row.Diagnostic);
                engagement.Parameters.AddWithValue("$event_key", Guid.CreateVersion7(row.ReportedAt).ToByteArray(bigEndian: true));
                events += engagement.ExecuteNonQuery();
            }
        }
        transaction.Commit();
        return new DeliveryReportsStored(isNew, suppressed, events);
    }

    /// <summary>Delivery reports stored, per kind.</summary>
    public IReadOnlyDictionary<string, long> CountDeliveryReports()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "bounces-count-by-kind");
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }
        return result;
    }
}
