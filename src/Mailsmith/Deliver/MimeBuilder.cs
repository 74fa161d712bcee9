using Mailsmith.Compose;
using Mailsmith.Storage;
using MimeKit;
using System.Text;
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

    /// <summary>
    /// Writes the message for <paramref name="customer"/> straight to its bytes (CRLF line ends), with the same headers
    /// and parts as <see cref="Build"/>: what the send path hands to <see cref="PreparedMessage.FromBytes"/>.
    /// </summary>
    /// <remarks>
    /// Header values that need RFC 2047 (subject, display names) are encoded and folded by MimeKit; the parts are
    /// encoded here in one pass (quoted-printable per RFC 2045 for mostly-ASCII text, else base64 in 76-character
    /// lines). Measured with <c>mailsmith bench send</c>: building the MimeKit tree and writing it cost ~0.4 ms per
    /// 17 KB message, most of the CPU a message needs after composing (docs/benchmarks.md). The first header is
    /// <c>Feedback-ID</c>, one MimeKit does not interpret, so the block can be carried by <see cref="PreparedMessage"/>.
    /// </remarks>
    public byte[] Write(ComposedEmail email, Customer customer, MessageEnvelope envelope)
    {
        var output = new ByteWriter(email.Html.Length + email.Text.Length + 4096);
        output.Ascii("Feedback-ID: ").Ascii(envelope.CampaignId).Ascii(":").Ascii(envelope.CampaignType).Ascii(":mailsmith\r\n");
        output.Bytes(_fromHeader);
        output.Ascii("Date: ").Ascii(MimeKit.Utils.DateUtils.FormatDate(envelope.Date)).Ascii("\r\n");
        output.Header(new Header(Encoding.UTF8, HeaderId.Subject, email.Subject));
        output.Ascii("Message-Id: <").Ascii(envelope.MessageId.Trim('<', '>')).Ascii(">\r\n");
        if (_replyToHeader is not null)
        {
            output.Bytes(_replyToHeader);
        }
        output.Ascii("To: ").Ascii(new MailboxAddress(DisplayName(customer), customer.Email).ToString(FormatOptions.Default, true)).Ascii("\r\n");
        output.Ascii("List-Unsubscribe: <mailto:").Ascii(sender.UnsubscribeMailbox).Ascii("?subject=unsubscribe%20").Ascii(envelope.UnsubscribeToken)
            .Ascii(">,\r\n <").Ascii(envelope.UnsubscribeUrl).Ascii(">\r\n");
        output.Ascii("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
        output.Ascii("X-Mailsmith-Message: ").Ascii(envelope.UnsubscribeToken).Ascii("\r\n");
        output.Ascii("Content-Language: ").Ascii(email.Locale).Ascii("\r\n");
        // "=_" never occurs in quoted-printable or base64 text, so the boundary cannot collide with a part.
        var boundary = "=_" + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        output.Ascii("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"").Ascii(boundary).Ascii("\"\r\n\r\n");
        WritePart(output, boundary, "text/plain", email.Text);
        WritePart(output, boundary, "text/html", email.Html);
        output.Ascii("--").Ascii(boundary).Ascii("--\r\n");
        return output.ToArray();
    }

    private readonly byte[] _fromHeader = HeaderBytes(new Header(HeaderId.From, new MailboxAddress(sender.FromName, sender.FromAddress).ToString(FormatOptions.Default, true)));
    private readonly byte[]? _replyToHeader = sender.ReplyTo is { Length: > 0 } replyTo
        ? HeaderBytes(new Header(HeaderId.ReplyTo, MailboxAddress.Parse(replyTo).ToString(FormatOptions.Default, true)))
        : null;

    private static byte[] HeaderBytes(Header header)
    {
        var writer = new ByteWriter(256);
        writer.Header(header);
        return writer.ToArray();
    }

    private static void WritePart(ByteWriter output, string boundary, string mimeType, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var quoted = MostlyAscii(content);
        output.Ascii("--").Ascii(boundary).Ascii("\r\nContent-Type: ").Ascii(mimeType).Ascii("; charset=utf-8\r\nContent-Transfer-Encoding: ")
            .Ascii(quoted ? "quoted-printable" : "base64").Ascii("\r\n\r\n");
        if (quoted)
        {
            output.QuotedPrintable(bytes);
        }
        else
        {
            output.Base64(bytes);
        }
    }

    /// <summary>A growable byte buffer with the encoders the message needs.</summary>
    private sealed class ByteWriter(int capacity)
    {
        private byte[] _buffer = new byte[capacity];
        private int _length;

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        public ByteWriter Ascii(string text)
        {
            Ensure(text.Length);
            foreach (var c in text)
            {
                // Every caller passes ASCII (encoded words, ids, URLs); anything else would be a bug, not a character to send raw.
                _buffer[_length++] = c < 0x80 ? (byte)c : (byte)'?';
            }
            return this;
        }

        public ByteWriter Bytes(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
            return this;
        }

        // A MimeKit header as MimeKit writes it: "Field:" and the raw (encoded, folded) value, with CRLF line ends.
        public void Header(Header header)
        {
            Ascii(header.Field).Ascii(":");
            var raw = header.RawValue;
            Ensure(raw.Length * 2);
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == (byte)'\n' && (i == 0 || raw[i - 1] != (byte)'\r'))
                {
                    _buffer[_length++] = (byte)'\r';
                }
                _buffer[_length++] = raw[i];
            }
        }

        // RFC 2045 6.7: lines of at most 76 characters (soft breaks "="), "=" and non-printable bytes as =XX,
        // space and tab kept except before a line end; line ends in the text become CRLF.
        public void QuotedPrintable(ReadOnlySpan<byte> text)
        {
            Ensure((text.Length * 3) + (text.Length / 25) + 8);
            var column = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var b = text[i];
                if (b == (byte)'\r' && i + 1 < text.Length && text[i + 1] == (byte)'\n')
                {
                    continue;
                }
                if (b == (byte)'\n')
                {
                    _buffer[_length++] = (byte)'\r';
                    _buffer[_length++] = (byte)'\n';
                    column = 0;
                    continue;
                }
                var atLineEnd = i + 1 == text.Length || text[i + 1] == (byte)'\n' || (text[i + 1] == (byte)'\r' && i + 2 < text.Length && text[i + 2] == (byte)'\n');
                var literal = (b is >= 33 and <= 126 && b != (byte)'=') || (b is (byte)' ' or (byte)'\t' && !atLineEnd);
                var width = literal ? 1 : 3;
                // A soft break leaves room for the "=" that ends the line: at most 75 characters of text before it.
                if (column + width > 75)
                {
                    _buffer[_length++] = (byte)'=';
                    _buffer[_length++] = (byte)'\r';
                    _buffer[_length++] = (byte)'\n';
                    column = 0;
                }
                if (literal)
                {
                    _buffer[_length++] = b;
                }
                else
                {
                    _buffer[_length++] = (byte)'=';
                    _buffer[_length++] = Hex[b >> 4];
                    _buffer[_length++] = Hex[b & 0xF];
                }
                column += width;
            }
            if (column > 0)
            {
                _buffer[_length++] = (byte)'\r';
                _buffer[_length++] = (byte)'\n';
            }
        }

        public void Base64(ReadOnlySpan<byte> data)
        {
            // 57 input bytes make one 76-character line.
            Ensure((data.Length / 57 * 78) + 82);
            for (var offset = 0; offset < data.Length; offset += 57)
            {
                var chunk = data.Slice(offset, Math.Min(57, data.Length - offset));
                System.Buffers.Text.Base64.EncodeToUtf8(chunk, _buffer.AsSpan(_length), out _, out var written);
                _length += written;
                _buffer[_length++] = (byte)'\r';
                _buffer[_length++] = (byte)'\n';
            }
        }

        private void Ensure(int more)
        {
            if (_length + more > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
            }
        }

        private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;
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
