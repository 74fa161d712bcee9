using Mailsmith.Storage;
using MimeKit;

namespace Mailsmith.Track;

/// <summary>What one import of delivery reports did.</summary>
/// <param name="Messages">Messages read (an mbox's messages, or the webhook's one).</param>
/// <param name="NotReports">Messages that are neither a DSN nor an ARF report (skipped).</param>
/// <param name="Other">Report parts that are no bounce or complaint: Action delivered/relayed/expanded, ARF types other than abuse.</param>
/// <param name="New">Newly stored reports per <see cref="DeliveryReportKind"/>.</param>
/// <param name="Matched">Newly stored reports per kind that were matched to a message of ours.</param>
/// <param name="AlreadyImported">Reports stored by an earlier import (or twice in this one): nothing done for them.</param>
/// <param name="Suppressed">Addresses newly put on the suppression list.</param>
/// <param name="Events">Bounce and complaint engagement events added to messages (the campaign report counts them).</param>
public sealed record BounceImportResult(
    int Messages, int NotReports, int Other, IReadOnlyDictionary<string, int> New, IReadOnlyDictionary<string, int> Matched,
    int AlreadyImported, int Suppressed, int Events)
{
    /// <summary>Newly stored reports of a kind that matched no message of ours.</summary>
    public int Unmatched(string kind) => New.GetValueOrDefault(kind) - Matched.GetValueOrDefault(kind);
}

/// <summary>
/// Applies delivery reports read by <see cref="BounceReports"/> (<c>mailsmith bounces import --mbox</c>, the server's
/// <c>/api/webhooks/dsn</c>): each is matched to the message it concerns — by the signed <c>X-Mailsmith-Message</c>
/// token of the returned message, else its Message-ID, else the latest message sent to the reported address — and
/// stored once (a rerun over the same mailbox adds nothing). Hard bounces and complaints suppress the address our
/// message went to and add a bounce/complaint event to that message and its campaign; soft bounces are only recorded.
/// </summary>
public sealed class BounceImporter(MailsmithStore store, TrackingLinks links, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Imports every report of an mbox file; nothing is stored when any report in it is malformed.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">Not an mbox, or a malformed report; the message names the file, message number and line.</exception>
    public BounceImportResult ImportMbox(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        var now = _time.GetUtcNow();
        var reports = new List<BounceReport>();
        int notReports = 0, other = 0;
        var messages = BounceReports.ReadMbox(path, now, (_, m) =>
        {
            notReports += m.NotAReport ? 1 : 0;
            other += m.Other;
            reports.AddRange(m.Reports);
        }, cancellationToken);
        return Apply(reports, messages, notReports, other, Path.GetFileName(path), now);
    }

    /// <summary>Imports the reports of one message (the DSN webhook).</summary>
    /// <exception cref="FormatException">A malformed report.</exception>
    public BounceImportResult ImportMessage(MimeMessage message, string source)
    {
        var now = _time.GetUtcNow();
        var m = BounceReports.Read(message, source, now);
        return Apply(m.Reports, 1, m.NotAReport ? 1 : 0, m.Other, source, now);
    }

    private BounceImportResult Apply(IReadOnlyList<BounceReport> reports, int messages, int notReports, int other, string source, DateTimeOffset now)
    {
        var rows = reports.Select(r =>
        {
            var (send, by, email) = Match(r);
            return new DeliveryReportRow(r.ReportKey, r.Recipient, r.Kind, r.Status, r.Diagnostic, send, email, by, source, r.At);
        }).ToList();
        var stored = store.RecordDeliveryReports(rows, now);
        var fresh = new Dictionary<string, int>(StringComparer.Ordinal);
        var matched = new Dictionary<string, int>(StringComparer.Ordinal);
        var again = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (!stored.IsNew[i])
            {
                again++;
                continue;
            }
            fresh[rows[i].Kind] = fresh.GetValueOrDefault(rows[i].Kind) + 1;
            if (rows[i].Send is not null)
            {
                matched[rows[i].Kind] = matched.GetValueOrDefault(rows[i].Kind) + 1;
            }
        }
        return new BounceImportResult(messages, notReports, other, fresh, matched, again, stored.Suppressed, stored.Events);
    }

    // The message a report concerns, how it was found, and the address to suppress (the one our message went to).
    private (Send? Send, string MatchedBy, string Email) Match(BounceReport report)
    {
        Send? candidate = null;
        var by = "none";
        if (report.MessageToken is { } token && links.TryReadMessage(token, out var reference) && store.GetSend(reference.SendId) is { } byToken)
        {
            (candidate, by) = (byToken, "token");
        }
        else if (report.OriginalMessageId is { } id && store.GetSendByMessageId(id) is { } byId)
        {
            (candidate, by) = (byId, "message_id");
        }
        if (candidate is not null)
        {
            var email = store.GetCustomer(candidate.CustomerId)?.Email.ToLowerInvariant() ?? report.Recipient;
            // Each message of ours goes to one address: in a report on several recipients it only names its own.
            if (report.Recipients == 1 || report.Recipient.Length == 0 || email == report.Recipient || email == report.OtherRecipient)
            {
                return (candidate, by, email);
            }
        }
        foreach (var address in new[] { report.Recipient, report.OtherRecipient })
        {
            if (address is { Length: > 0 } && store.LatestSendToEmail(address) is { } latest)
            {
                return (latest, "recipient", address);
            }
        }
        return (null, "none", report.Recipient);
    }
}
