using Mailsmith.Compose;
using Mailsmith.Storage;
using MimeKit;
using System.Buffers;
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
/// <remarks>Thread-safe; one instance serves a whole campaign (its only state is a cache of the last Date header written).</remarks>
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
        // Both parts are measured once (UTF-8 length, mostly ASCII or not); the buffer is rented at a size no message
        // can outgrow, so nothing is resized, and the one allocation left is the returned array of exactly its bytes.
        var text = new PartPlan(email.Text);
        var html = new PartPlan(email.Html);
        var output = new ByteWriter(HeaderBound(email, customer, envelope) + text.EncodedBound + html.EncodedBound + 512);
        try
        {
            output.Ascii("Feedback-ID: ").Ascii(envelope.CampaignId).Ascii(":").Ascii(envelope.CampaignType).Ascii(":mailsmith\r\n");
            output.Bytes(_fromHeader);
            output.Ascii("Date: ").Ascii(FormatDate(envelope.Date)).Ascii("\r\n");
            if (IsPlainHeaderText(email.Subject, 78 - "Subject: ".Length - 2))
            {
                output.Ascii("Subject: ").Ascii(email.Subject).Ascii("\r\n");
            }
            else
            {
                output.Header(new Header(Encoding.UTF8, HeaderId.Subject, email.Subject));
            }
            output.Ascii("Message-Id: <").Ascii(envelope.MessageId.AsSpan().Trim(['<', '>'])).Ascii(">\r\n");
            if (_replyToHeader is not null)
            {
                output.Bytes(_replyToHeader);
            }
            var displayName = DisplayName(customer);
            if (IsPlainAddress(displayName, customer.Email))
            {
                output.Ascii("To: ").Ascii(displayName).Ascii(" <").Ascii(customer.Email).Ascii(">\r\n");
            }
            else
            {
                output.Ascii("To: ").Ascii(new MailboxAddress(displayName, customer.Email).ToString(FormatOptions.Default, true)).Ascii("\r\n");
            }
            output.Ascii("List-Unsubscribe: <mailto:").Ascii(sender.UnsubscribeMailbox).Ascii("?subject=unsubscribe%20").Ascii(envelope.UnsubscribeToken)
                .Ascii(">,\r\n <").Ascii(envelope.UnsubscribeUrl).Ascii(">\r\n");
            output.Ascii("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
            output.Ascii("X-Mailsmith-Message: ").Ascii(envelope.UnsubscribeToken).Ascii("\r\n");
            output.Ascii("Content-Language: ").Ascii(email.Locale).Ascii("\r\n");
            // "=_" never occurs in quoted-printable or base64 text, so the boundary cannot collide with a part.
            Span<byte> guid = stackalloc byte[16];
            Guid.NewGuid().TryWriteBytes(guid);
            Span<char> boundary = stackalloc char[34];
            boundary[0] = '=';
            boundary[1] = '_';
            Convert.TryToHexString(guid, boundary[2..], out _);
            output.Ascii("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"").Ascii(boundary).Ascii("\"\r\n\r\n");
            WritePart(output, boundary, "text/plain", text);
            WritePart(output, boundary, "text/html", html);
            output.Ascii("--").Ascii(boundary).Ascii("--\r\n");
            return output.ToArray();
        }
        finally
        {
            output.Return();
        }
    }

    /// <summary>
    /// Whether MimeKit would write <paramref name="text"/> as an unstructured header value exactly as it is: printable
    /// ASCII words with single spaces between them, nothing that reads as an encoded word (<c>=?</c>), short enough that
    /// no fold is needed. MimeKit encodes and folds anything else (tested against MimeKit in MimeBuilderTests).
    /// </summary>
    internal static bool IsPlainHeaderText(string text, int maxLength)
    {
        if (text.Length == 0 || text.Length > maxLength || text[0] == ' ' || text[^1] == ' ')
        {
            return false;
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < ' ' or > '~' || (c == ' ' && text[i - 1] == ' ') || (c == '=' && i + 1 < text.Length && text[i + 1] == '?'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Whether MimeKit writes the mailbox as <c>name &lt;address&gt;</c> with nothing quoted, encoded or folded: a name
    /// of ASCII letters and digits in single-spaced words, an address of ASCII letters, digits and <c>.-_+</c> around one
    /// <c>@</c>, short enough for one line (tested against MimeKit in MimeBuilderTests).
    /// </summary>
    internal static bool IsPlainAddress(string name, string address)
    {
        if (name.Length == 0 || name[0] == ' ' || name[^1] == ' ' || name.Length + address.Length > 60)
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(char.IsAsciiLetterOrDigit(c) || (c == ' ' && name[i - 1] != ' ')))
            {
                return false;
            }
        }
        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == address.Length - 1 || address.IndexOf('@', at + 1) >= 0
            || address[0] == '.' || address[at - 1] == '.' || address[at + 1] == '.' || address[^1] == '.'
            || address.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in address)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' or '@'))
            {
                return false;
            }
        }
        return true;
    }

    // The last Date header formatted: a campaign's sends mostly share their planned time. Replaced as a whole (a
    // reference write), so threads never see a date with another date's text.
    private FormattedDate? _lastDate;

    private sealed record FormattedDate(DateTimeOffset Date, string Text);

    private string FormatDate(DateTimeOffset date)
    {
        if (_lastDate is { } last && last.Date.Equals(date) && last.Date.Offset == date.Offset)
        {
            return last.Text;
        }
        var text = MimeKit.Utils.DateUtils.FormatDate(date);
        _lastDate = new FormattedDate(date, text);
        return text;
    }

    // Generous: every header value is ASCII once encoded, and an encoded word or a fold adds at most a few bytes per
    // UTF-8 byte of the value (RFC 2047 base64 words: 4/3, plus "=?utf-8?b?", "?=" and a fold per ~60 bytes).
    private int HeaderBound(ComposedEmail email, Customer customer, MessageEnvelope envelope) =>
        _fromHeader.Length + (_replyToHeader?.Length ?? 0) + 400
        + (3 * (Encoding.UTF8.GetByteCount(email.Subject) + Encoding.UTF8.GetByteCount(customer.FirstName ?? "")
            + Encoding.UTF8.GetByteCount(customer.LastName ?? "") + Encoding.UTF8.GetByteCount(customer.Email)))
        + envelope.CampaignId.Length + envelope.CampaignType.Length + envelope.MessageId.Length + (2 * envelope.UnsubscribeToken.Length)
        + envelope.UnsubscribeUrl.Length + sender.UnsubscribeMailbox.Length + email.Locale.Length;

    private readonly byte[] _fromHeader = HeaderBytes(new Header(HeaderId.From, new MailboxAddress(sender.FromName, sender.FromAddress).ToString(FormatOptions.Default, true)));
    private readonly byte[]? _replyToHeader = sender.ReplyTo is { Length: > 0 } replyTo
        ? HeaderBytes(new Header(HeaderId.ReplyTo, MailboxAddress.Parse(replyTo).ToString(FormatOptions.Default, true)))
        : null;

    private static byte[] HeaderBytes(Header header)
    {
        var writer = new ByteWriter(4 * (header.RawValue.Length + header.Field.Length + 8));
        try
        {
            writer.Header(header);
            return writer.ToArray();
        }
        finally
        {
            writer.Return();
        }
    }

    /// <summary>One part's content, measured: its UTF-8 length, its transfer encoding, and the most bytes that encoding can write.</summary>
    private readonly struct PartPlan
    {
        public PartPlan(string content)
        {
            Content = content;
            Utf8Length = Encoding.UTF8.GetByteCount(content);
            Quoted = MostlyAscii(content);
            // Quoted-printable: at most "=XX" per byte, a soft break per 25 of those, a final line end.
            // Base64: 78 bytes (76 and CRLF) per 57 input bytes, rounded up.
            EncodedBound = Quoted ? (Utf8Length * 3) + (Utf8Length / 25) + 8 : (((Utf8Length / 57) + 1) * 78) + 8;
        }

        public string Content { get; }
        public int Utf8Length { get; }
        public bool Quoted { get; }
        public int EncodedBound { get; }
    }

    private static void WritePart(ByteWriter output, ReadOnlySpan<char> boundary, string mimeType, in PartPlan part)
    {
        output.Ascii("--").Ascii(boundary).Ascii("\r\nContent-Type: ").Ascii(mimeType).Ascii("; charset=utf-8\r\nContent-Transfer-Encoding: ")
            .Ascii(part.Quoted ? "quoted-printable" : "base64").Ascii("\r\n\r\n");
        // The UTF-8 bytes go into a rented scratch buffer, never a new array per part.
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, part.Utf8Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(part.Content, bytes);
            if (part.Quoted)
            {
                output.QuotedPrintable(bytes.AsSpan(0, length));
            }
            else
            {
                output.Base64(bytes.AsSpan(0, length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// A byte buffer rented at its final size (callers pass a bound no message exceeds), with the encoders the message needs.
    /// </summary>
    private sealed class ByteWriter(int capacity)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        private int _length;

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        /// <summary>Gives the buffer back to the pool; the writer is not used after.</summary>
        public void Return()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        public ByteWriter Ascii(string text) => Ascii(text.AsSpan());

        public ByteWriter Ascii(ReadOnlySpan<char> text)
        {
            Ensure(text.Length);
            var destination = _buffer.AsSpan(_length, text.Length);
            // Vectorized while the text is ASCII (it always is: encoded words, ids, URLs); from the first other
            // character on, one by one: anything else would be a bug, not a character to send raw.
            System.Text.Ascii.FromUtf16(text, destination, out var written);
            for (var i = written; i < text.Length; i++)
            {
                var c = text[i];
                destination[i] = c < 0x80 ? (byte)c : (byte)'?';
            }
            _length += text.Length;
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

        // Bytes quoted-printable writes as they are (RFC 2045 6.7 rules 2 and 3): printable ASCII but "=", and space
        // and tab, which are literal unless they end a line (decided byte by byte, below).
        private static readonly SearchValues<byte> LiteralCandidates = SearchValues.Create(
            [.. Enumerable.Range(33, 126 - 33 + 1).Where(b => b != '=').Select(b => (byte)b), (byte)' ', (byte)'\t']);

        // RFC 2045 6.7: lines of at most 76 characters (soft breaks "="), "=" and non-printable bytes as =XX,
        // space and tab kept except before a line end; line ends in the text become CRLF.
        public void QuotedPrintable(ReadOnlySpan<byte> text)
        {
            Ensure((text.Length * 3) + (text.Length / 25) + 8);
            var buffer = _buffer;
            var length = _length;
            var column = 0;
            var i = 0;
            while (i < text.Length)
            {
                // A run of literal bytes is copied in slices up to the soft-break column, found with one vectorized
                // search; its last byte is left to the byte-by-byte rules below when it is a space or tab (which is
                // encoded before a line end). Same bytes as the byte-by-byte loop: a literal byte breaks the line
                // first exactly when the column is already 75.
                var run = text[i..].IndexOfAnyExcept(LiteralCandidates);
                var runEnd = run < 0 ? text.Length : i + run;
                if (runEnd > i && text[runEnd - 1] is (byte)' ' or (byte)'\t')
                {
                    runEnd--;
                }
                while (i < runEnd)
                {
                    if (column == 75)
                    {
                        buffer[length++] = (byte)'=';
                        buffer[length++] = (byte)'\r';
                        buffer[length++] = (byte)'\n';
                        column = 0;
                    }
                    var slice = Math.Min(75 - column, runEnd - i);
                    text.Slice(i, slice).CopyTo(buffer.AsSpan(length));
                    length += slice;
                    column += slice;
                    i += slice;
                }
                if (i == text.Length)
                {
                    break;
                }
                var b = text[i];
                if (b == (byte)'\r' && i + 1 < text.Length && text[i + 1] == (byte)'\n')
                {
                    i++;
                    continue;
                }
                if (b == (byte)'\n')
                {
                    buffer[length++] = (byte)'\r';
                    buffer[length++] = (byte)'\n';
                    column = 0;
                    i++;
                    continue;
                }
                var atLineEnd = i + 1 == text.Length || text[i + 1] == (byte)'\n' || (text[i + 1] == (byte)'\r' && i + 2 < text.Length && text[i + 2] == (byte)'\n');
                var literal = (b is >= 33 and <= 126 && b != (byte)'=') || (b is (byte)' ' or (byte)'\t' && !atLineEnd);
                var width = literal ? 1 : 3;
                // A soft break leaves room for the "=" that ends the line: at most 75 characters of text before it.
                if (column + width > 75)
                {
                    buffer[length++] = (byte)'=';
                    buffer[length++] = (byte)'\r';
                    buffer[length++] = (byte)'\n';
                    column = 0;
                }
                if (literal)
                {
                    buffer[length++] = b;
                }
                else
                {
                    buffer[length++] = (byte)'=';
                    buffer[length++] = Hex[b >> 4];
                    buffer[length++] = Hex[b & 0xF];
                }
                column += width;
                i++;
            }
            if (column > 0)
            {
                buffer[length++] = (byte)'\r';
                buffer[length++] = (byte)'\n';
            }
            _length = length;
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
            // The rented size is a bound, not a guess; growing stays as the safety net it always was.
            if (_length + more > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
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
        // Counts characters above U+007F a run at a time (both searches are vectorized).
        var nonAscii = 0;
        var rest = content.AsSpan();
        while (true)
        {
            var other = rest.IndexOfAnyExceptInRange('\0', '\u007F');
            if (other < 0)
            {
                break;
            }
            rest = rest[other..];
            var ascii = rest.IndexOfAnyInRange('\0', '\u007F');
            nonAscii += ascii < 0 ? rest.Length : ascii;
            if (ascii < 0)
            {
                break;
            }
            rest = rest[ascii..];
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
