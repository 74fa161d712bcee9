using Mailsmith.Compose;
using Mailsmith.Storage;
using MimeKit;
using MimeKit.Text;

namespace Mailsmith.Deliver;

/// <summary>The headers that tie a message to its send and its links.</summary>
/// <param name="MessageId">The send's fixed Message-ID, with or without angle brackets.</param>
/// <param name="UnsubscribeUrl">The https one-click unsubscribe URL (RFC 8058).</param>
/// <param name="UnsubscribeToken">The signed message token, also used in the mailto unsubscribe subject and <c>X-Mailsmith-Message</c>.</param>
/// <param name="CampaignId">For the <c>Feedback-ID</c> header.</param>
/// <param name="CampaignType">For the <c>Feedback-ID</c> header.</param>
public sealed record MessageEnvelope(
    string MessageId,
    string UnsubscribeUrl,
    string UnsubscribeToken,
    string CampaignId,
    string CampaignType,
    DateTimeOffset Date);

/// <summary>
/// Builds the MIME message of one composed email: multipart/alternative (text, then HTML), UTF-8, RFC 2047
/// encoded subject and display names, Message-ID, List-Unsubscribe (mailto and https) with
/// List-Unsubscribe-Post (RFC 8058), Feedback-ID and X-Mailsmith-Message.
/// </summary>
/// <remarks>Immutable and thread-safe; one instance serves a whole campaign.</remarks>
public sealed class MimeBuilder(SenderOptions sender)
{
    private readonly MailboxAddress _from = new(sender.FromName, sender.FromAddress);
    private readonly MailboxAddress? _replyTo = sender.ReplyTo is { Length: > 0 } r ? MailboxAddress.Parse(r) : null;

    /// <summary>The domain used for Message-IDs.</summary>
    public string MessageIdDomain { get; } = sender.MessageIdDomain ?? sender.FromAddress[(sender.FromAddress.IndexOf('@', StringComparison.Ordinal) + 1)..];

    /// <summary>A new Message-ID for a send, stable once stored: <c>&lt;campaign.customer.random@domain&gt;</c>.</summary>
    public string NewMessageId(string campaignId, string customerId) =>
        $"<{campaignId}.{Uri.EscapeDataString(customerId)}.{Guid.NewGuid():N}@{MessageIdDomain}>";

    /// <summary>Builds the message for <paramref name="customer"/>.</summary>
    public MimeMessage Build(ComposedEmail email, Customer customer, MessageEnvelope envelope)
    {
        var message = new MimeMessage();
        message.From.Add(_from);
        if (_replyTo is not null)
        {
            message.ReplyTo.Add(_replyTo);
        }
        var displayName = DisplayName(customer);
        message.To.Add(new MailboxAddress(displayName, customer.Email));
        message.Subject = email.Subject;
        message.Date = envelope.Date;
        message.MessageId = envelope.MessageId.Trim('<', '>');
        var mailto = $"mailto:{sender.UnsubscribeMailbox}?subject=unsubscribe%20{envelope.UnsubscribeToken}";
        message.Headers.Add("List-Unsubscribe", $"<{mailto}>, <{envelope.UnsubscribeUrl}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("Feedback-ID", $"{envelope.CampaignId}:{envelope.CampaignType}:mailsmith");
        message.Headers.Add("X-Mailsmith-Message", envelope.UnsubscribeToken);
        message.Headers.Add(HeaderId.ContentLanguage, email.Locale);

        var alternative = new MultipartAlternative
        {
            Part(TextFormat.Plain, email.Text),
            Part(TextFormat.Html, email.Html),
        };
        message.Body = alternative;
        return message;
    }

    private static TextPart Part(TextFormat format, string content)
    {
        var part = new TextPart(format);
        part.SetText("utf-8", content);
        // Quoted-printable keeps mostly-ASCII text readable; base64 is a third smaller for CJK-heavy text.
        part.ContentTransferEncoding = MostlyAscii(content) ? ContentEncoding.QuotedPrintable : ContentEncoding.Base64;
        return part;
    }

    private static bool MostlyAscii(string content)
    {
        var nonAscii = 0;
        foreach (var c in content)
        {
            if (c > 0x7f)
            {
                nonAscii++;
            }
        }
        return nonAscii * 10 < content.Length;
    }

    /// <summary>The display name for the To header: "First Last" in Western locales, "姓名" (family name first, no space) in CJK ones.</summary>
    public static string DisplayName(Customer customer)
    {
        var first = customer.FirstName?.Trim() ?? "";
        var last = customer.LastName?.Trim() ?? "";
        var language = customer.Locale.Split('-', 2)[0];
        return language is "zh" or "ja" or "ko" ? (last + first) : $"{first} {last}".Trim();
    }
}
