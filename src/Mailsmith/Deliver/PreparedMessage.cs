using MimeKit;

namespace Mailsmith.Deliver;

/// <summary>
/// A message written to its final bytes once (CRLF line ends, every part encoded), wrapped in a
/// <see cref="MimeMessage"/> that MailKit writes to the relay as those bytes in one copy.
/// </summary>
/// <remarks>
/// <para>Why: MailKit writes a <see cref="MimeMessage"/> through MimeKit's asynchronous part-by-part writer, encoding
/// every part again on the connection's thread, and a DKIM signer writes it once more to hash it. Measured with
/// <c>mailsmith bench send</c> (docs/benchmarks.md), that writing was the largest share of the CPU per message. Prepared
/// in the producer, a message is written once, on every core, before a connection waits for it.</para>
/// <para>How: MimeKit writes a message as its header list, a blank line, then its body's content. The wrapper's
/// header list is a single header whose raw value carries the rest of the header block (so the block is written
/// byte for byte), and its body is an entity without headers whose content is the body bytes. The single header is
/// the block's first, one MimeKit does not interpret (<see cref="MimeBuilder.Write"/> writes <c>Feedback-ID</c> first),
/// so adding it parses nothing. MailKit still does the SMTP conversation, the dot-stuffing and the envelope (which the
/// caller passes explicitly: the wrapper has no From or To that MimeKit knows of). A DKIM signature inserted as the
/// wrapper's first header (<see cref="DkimSigner.Sign"/>) is written before the block.</para>
/// </remarks>
public sealed class PreparedMessage
{
    public PreparedMessage()
    {
        Message = new MimeMessage();
        Message.Headers.Clear();
        Message.Body = new RawBody();
    }

    /// <summary>The wrapper MailKit writes; it holds the bytes of the last <see cref="Load"/>.</summary>
    /// <remarks>
    /// One wrapper per SMTP connection, loaded with each message in turn: building a <see cref="MimeMessage"/> costs
    /// tens of microseconds of CPU (its parser options, address lists, a generated Message-ID and date), a large share
    /// of the budget per message at the issue 6 targets.
    /// </remarks>
    public MimeMessage Message { get; }

    /// <summary>The wrapper of a written message, new.</summary>
    /// <exception cref="ArgumentException">See <see cref="Load"/>.</exception>
    public static MimeMessage FromBytes(byte[] bytes) => new PreparedMessage().Load(bytes).Message;

    /// <summary>Makes <see cref="Message"/> the message in <paramref name="bytes"/> (<see cref="MimeBuilder.Write"/>: CRLF line ends, parts encoded).</summary>
    /// <exception cref="ArgumentException">No header block, or its first header is one MimeKit interprets (From, To, Date, …).</exception>
    public PreparedMessage Load(byte[] bytes)
    {
        var span = bytes.AsSpan();
        var end = span.IndexOf("\r\n\r\n"u8);
        var colon = span.IndexOf((byte)':');
        if (end < 0 || colon < 0 || colon > end)
        {
            throw new ArgumentException("not a message: no header block ending in an empty line", nameof(bytes));
        }
        var field = System.Text.Encoding.ASCII.GetString(span[..colon]);
        var carrier = new Header(field, "x");
        if (carrier.Id != HeaderId.Unknown)
        {
            throw new ArgumentException($"the first header ({field}) is one MimeKit interprets; it cannot carry the header block", nameof(bytes));
        }
        carrier.SetRawValue(span[(colon + 1)..(end + 2)].ToArray());
        Message.Headers.Clear();
        Message.Headers.Add(carrier);
        ((RawBody)Message.Body!).Content = bytes.AsMemory(end + 4);
        return this;
    }

    /// <summary>A body already encoded: written as it is, never prepared again.</summary>
    private sealed class RawBody : MimeEntity
    {
        public RawBody() : base(new ContentType("text", "plain"))
        {
            // The headers of the real body are part of the carried header block.
            Headers.Clear();
        }

        public ReadOnlyMemory<byte> Content { get; set; }

        // The parts were encoded when the message was written (7-bit: quoted-printable or base64).
        public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78)
        {
        }

        public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly = false, CancellationToken cancellationToken = default) =>
            stream.Write(Content.Span);

        public override Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly = false, CancellationToken cancellationToken = default) =>
            stream.WriteAsync(Content, cancellationToken).AsTask();
    }
}
