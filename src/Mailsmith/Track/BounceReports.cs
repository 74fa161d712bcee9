using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Mailsmith.Storage;
using MimeKit;

namespace Mailsmith.Track;

/// <summary>One recipient's outcome read from a DSN (RFC 3464) or an ARF feedback report (RFC 5965).</summary>
/// <param name="ReportKey">The report's own Message-ID (<c>mid:&lt;…&gt;</c>), else <c>sha256:</c> of its bytes.</param>
/// <param name="Kind">A <see cref="DeliveryReportKind"/>.</param>
/// <param name="Recipient">Original-Recipient, else Final-Recipient (DSN); Original-Rcpt-To, else the returned message's To (ARF); lower case, empty when none.</param>
/// <param name="OtherRecipient">The DSN's Final-Recipient when it differs from <paramref name="Recipient"/> (a forwarded address).</param>
/// <param name="Status">The DSN Status (<c>5.1.1</c>) or the ARF Feedback-Type.</param>
/// <param name="Diagnostic">Diagnostic-Code when given, else Action and Status (DSN) or the Feedback-Type (ARF).</param>
/// <param name="OriginalMessageId">The Message-ID of the returned message (ours when it was one of ours), with angle brackets.</param>
/// <param name="MessageToken">The returned message's <c>X-Mailsmith-Message</c> (our signed message token).</param>
/// <param name="Recipients">Recipient groups in the report (a Message-ID only picks the message when it names one).</param>
public sealed record BounceReport(
    string ReportKey, string Kind, string Recipient, string? OtherRecipient, string? Status, string Diagnostic,
    string? OriginalMessageId, string? MessageToken, DateTimeOffset At, int Recipients);

/// <summary>What a message turned out to be.</summary>
/// <param name="Reports">Its bounce and complaint reports (empty when it is none).</param>
/// <param name="Other">Recipient groups that are not failures (Action delivered, relayed, expanded) or ARF types other than abuse.</param>
public sealed record BounceMessage(IReadOnlyList<BounceReport> Reports, int Other)
{
    /// <summary>A message that is neither a DSN nor an ARF report (an auto-reply, a plain-text bounce).</summary>
    public bool NotAReport => Reports.Count == 0 && Other == 0;
}

/// <summary>
/// Reads delivery reports that come back as mail: <c>multipart/report</c> with a <c>message/delivery-status</c> part
/// (RFC 3464) or a <c>message/feedback-report</c> part (RFC 5965), one message or an mbox of them (MimeKit's
/// <see cref="MimeParser"/> in <see cref="MimeFormat.Mbox"/>). Anything else is counted, not an error; a report that
/// breaks its RFC (no Action, no Status, no Feedback-Type) is a <see cref="FormatException"/> naming where.
/// </summary>
public static partial class BounceReports
{
    /// <summary>Reads one message.</summary>
    /// <param name="where">Where the message came from, for errors (e.g. <c>bounces.mbox: message 3 (line 120)</c>).</param>
    /// <param name="now">The moment used when the report carries no date.</param>
    /// <exception cref="FormatException">A report part breaks RFC 3464 or RFC 5965; the message starts with <paramref name="where"/>.</exception>
    public static BounceMessage Read(MimeMessage message, string where, DateTimeOffset now)
    {
        if (message.Body is not MultipartReport report)
        {
            return new BounceMessage([], 0);
        }
        var key = ReportKey(message);
        var date = message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue ? message.Date.ToUniversalTime() : now;
        var type = report.ReportType?.ToLowerInvariant();
        if (type == "delivery-status")
        {
            var status = report.OfType<MessageDeliveryStatus>().FirstOrDefault()
                ?? throw new FormatException($"{where}: multipart/report; report-type=delivery-status without a message/delivery-status part");
            return ReadDsn(status, Returned(report), key, date, where);
        }
        if (type == "feedback-report")
        {
            var feedback = report.OfType<MessageFeedbackReport>().FirstOrDefault()
                ?? throw new FormatException($"{where}: multipart/report; report-type=feedback-report without a message/feedback-report part");
            return ReadArf(feedback, Returned(report), key, date, where);
        }
        return new BounceMessage([], 0);
    }

    /// <summary>Reads every message of an mbox file.</summary>
    /// <param name="onMessage">Called per message with its 1-based index and its reports.</param>
    /// <returns>Messages read.</returns>
    /// <exception cref="FormatException">The file is not an mbox, or a report in it breaks its RFC; the message names the file, the message's number and its line.</exception>
    public static int ReadMbox(string path, DateTimeOffset now, Action<int, BounceMessage> onMessage, CancellationToken cancellationToken = default)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            return 0;
        }
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        var index = 0;
        while (!parser.IsEndOfStream)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MimeMessage message;
            try
            {
                message = parser.ParseMessage(cancellationToken);
            }
            catch (FormatException e)
            {
                throw new FormatException(index == 0
                    ? $"{path}: line 1: not an mbox file (expected a 'From ' line first): {e.Message}"
                    : $"{path}: after message {index} (line {LineAt(path, parser.MboxMarkerOffset)}): {e.Message}", e);
            }
            index++;
            var where = $"{path}: message {index} (line {LineAt(path, parser.MboxMarkerOffset)})";
            onMessage(index, Read(message, where, now));
        }
        return index;
    }

    private static BounceMessage ReadDsn(MessageDeliveryStatus status, HeaderList? returned, string key, DateTimeOffset date, string where)
    {
        var groups = status.StatusGroups;
        if (groups.Count < 2)
        {
            throw new FormatException($"{where}: message/delivery-status: no per-recipient fields (RFC 3464 requires at least one recipient group)");
        }
        var arrival = Date(groups[0], "Arrival-Date", where) ?? date;
        var reports = new List<BounceReport>();
        var other = 0;
        for (var g = 1; g < groups.Count; g++)
        {
            var fields = groups[g];
            var at = $"{where}: message/delivery-status: recipient group {g}";
            var action = fields["Action"]?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(action))
            {
                throw new FormatException($"{at}: Action: missing (RFC 3464 requires failed, delayed, delivered, relayed or expanded)");
            }
            var final = Address(fields["Final-Recipient"]) ?? throw new FormatException($"{at}: Final-Recipient: missing or not an address ('{fields["Final-Recipient"]}')");
            var original = Address(fields["Original-Recipient"]);
            var code = fields["Status"]?.Trim();
            if (string.IsNullOrEmpty(code))
            {
                throw new FormatException($"{at}: Status: missing (RFC 3464 requires class.subject.detail, e.g. 5.1.1)");
            }
            var match = StatusPattern().Match(code);
            if (!match.Success)
            {
                throw new FormatException($"{at}: Status '{code}': expected class.subject.detail with class 2, 4 or 5 (e.g. 5.1.1)");
            }
            var statusCode = match.Groups[1].Value;
            string? kind = (action, statusCode[0]) switch
            {
                ("failed", '5') => DeliveryReportKind.HardBounce,
                ("failed" or "delayed", '4') => DeliveryReportKind.SoftBounce,
                ("delayed", _) => DeliveryReportKind.SoftBounce,
                ("failed", _) => throw new FormatException($"{at}: Action failed with Status {statusCode}: a failure has class 4 or 5"),
                ("delivered" or "relayed" or "expanded", _) => null,
                _ => throw new FormatException($"{at}: Action '{action}': expected failed, delayed, delivered, relayed or expanded"),
            };
            if (kind is null)
            {
                other++;
                continue;
            }
            var diagnostic = fields["Diagnostic-Code"] is { Length: > 0 } d ? Unfold(d) : $"{action} {statusCode}";
            var recipient = original ?? final;
            reports.Add(new BounceReport(key, kind, recipient, recipient == final ? null : final, statusCode, diagnostic,
                MessageId(returned), Token(returned), arrival, groups.Count - 1));
        }
        return new BounceMessage(reports, other);
    }

    private static BounceMessage ReadArf(MessageFeedbackReport feedback, HeaderList? returned, string key, DateTimeOffset date, string where)
    {
        var fields = feedback.Fields;
        var at = $"{where}: message/feedback-report";
        var type = fields["Feedback-Type"]?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(type))
        {
            throw new FormatException($"{at}: Feedback-Type: missing (RFC 5965 requires abuse, fraud, virus, other or not-spam)");
        }
        if (type != "abuse")
        {
            // fraud, virus, other, not-spam, auth-failure: not a recipient's complaint.
            return new BounceMessage([], 1);
        }
        var arrival = Date(fields, "Arrival-Date", where) ?? Date(fields, "Received-Date", where) ?? date;
        var recipient = Address(fields["Original-Rcpt-To"]);
        if (recipient is null && returned?["To"] is { } to && InternetAddressList.TryParse(to, out var list))
        {
            recipient = list.Mailboxes.FirstOrDefault()?.Address?.ToLowerInvariant();
        }
        return new BounceMessage([new BounceReport(key, DeliveryReportKind.Complaint, recipient ?? "", null, type,
            "abuse report" + (fields["User-Agent"] is { Length: > 0 } ua ? " by " + Unfold(ua) : ""), MessageId(returned), Token(returned), arrival, 1)], 0);
    }

    // The returned message (message/rfc822) or its headers (text/rfc822-headers).
    private static HeaderList? Returned(MultipartReport report)
    {
        foreach (var part in report)
        {
            if (part is MessagePart { Message: { } message })
            {
                return message.Headers;
            }
            if (part is MimePart mime && mime.ContentType.IsMimeType("text", "rfc822-headers") && mime.Content is { } content)
            {
                using var stream = new MemoryStream();
                content.DecodeTo(stream);
                stream.Position = 0;
                return HeaderList.Load(stream);
            }
        }
        return null;
    }

    private static string? MessageId(HeaderList? headers) =>
        headers?["Message-ID"] is { } id && id.Trim().Trim('<', '>') is { Length: > 0 } bare ? "<" + bare + ">" : null;

    private static string? Token(HeaderList? headers) =>
        headers?["X-Mailsmith-Message"] is { } token && Unfold(token).Replace(" ", "", StringComparison.Ordinal) is { Length: > 0 } t ? t : null;

    private static string ReportKey(MimeMessage message)
    {
        if (message.MessageId is { Length: > 0 } id)
        {
            return "mid:<" + id + ">";
        }
        using var stream = new MemoryStream();
        message.WriteTo(FormatOptions.Default, stream);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
    }

    // "rfc822; someone@example.com" (RFC 3464 address-type; address), or a bare address.
    private static string? Address(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }
        var value = Unfold(field);
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var address = (semicolon >= 0 ? value[(semicolon + 1)..] : value).Trim().Trim('<', '>').Trim();
        var at = address.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < address.Length - 1 && !address.Contains(' ', StringComparison.Ordinal) ? address.ToLowerInvariant() : null;
    }

    private static DateTimeOffset? Date(HeaderList fields, string name, string where)
    {
        if (fields[name] is not { Length: > 0 } text)
        {
            return null;
        }
        return MimeKit.Utils.DateUtils.TryParse(text, out var date)
            ? date.ToUniversalTime()
            : throw new FormatException($"{where}: {name} '{Unfold(text)}': not an RFC 5322 date");
    }

    private static string Unfold(string value) => WhitespacePattern().Replace(value, " ").Trim();

    // 1-based line of a byte offset (only for error messages).
    private static long LineAt(string path, long offset)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[64 * 1024];
        long line = 1, read = 0;
        while (read < offset)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, offset - read));
            if (n == 0)
            {
                break;
            }
            line += buffer.AsSpan(0, n).Count((byte)'\n');
            read += n;
        }
        return line;
    }

    [GeneratedRegex(@"^([245]\.\d{1,3}\.\d{1,3})\b")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespacePattern();
}
