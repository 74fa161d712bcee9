namespace Mailsmith.Compose;

/// <summary>The default writer: data-to-text from the phrase files (no network), through <see cref="EmailComposer.WriteCopy"/>.</summary>
/// <remarks>Thread-safe; completes synchronously. Throws <see cref="TemplateRenderException"/> when a slot has no variant for the plan.</remarks>
public sealed class BuiltInCopyWriter : ICopyWriter
{
    /// <summary>The <see cref="ICopyWriter.Name"/> recorded with its messages.</summary>
    public const string WriterName = "builtin";

    private readonly EmailComposer _composer;

    public BuiltInCopyWriter(EmailComposer composer) => _composer = composer;

    public string Name => WriterName;

    public ValueTask<EmailCopy?> WriteAsync(EmailPlan plan, CancellationToken cancellationToken) => ValueTask.FromResult<EmailCopy?>(_composer.WriteCopy(plan));
}

/// <summary>What <see cref="EmailComposer.ComposeAsync"/> did with one message.</summary>
/// <param name="Email">The rendered email, or null when no copy passed the checks (skip the message; never send it as is).</param>
/// <param name="Writer">The writer whose copy was used (or last tried).</param>
/// <param name="Failures">Every check failure seen, including those of a writer that was replaced; record them.</param>
public sealed record ComposeOutcome(EmailPlan Plan, ComposedEmail? Email, string Writer, IReadOnlyList<CheckFailure> Failures);

/// <summary>Copy failed a guardrail (<see cref="CopyChecks"/>); the message is not sent.</summary>
public sealed class CopyCheckException : Exception
{
    public CopyCheckException()
    {
        Failures = [];
    }

    public CopyCheckException(string message)
        : base(message)
    {
        Failures = [];
    }

    public CopyCheckException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failures = [];
    }

    public CopyCheckException(EmailPlan plan, string writer, IReadOnlyList<CheckFailure> failures)
        : base($"Copy by '{writer}' for customer {plan.Recipient.CustomerId} ({plan.CampaignType}, {plan.Locale}) failed: {string.Join("; ", failures)}")
    {
        Writer = writer;
        Failures = failures;
    }

    public string? Writer { get; }

    public IReadOnlyList<CheckFailure> Failures { get; }
}

/// <summary>
/// Chooses the frame of one email from the profile (docs/compose.md "Framing rules"). With an offer, the chance of value
/// framing follows discount sensitivity: high 0.9, mid 0.5, low 0.1; without one it follows price sensitivity: high 0.6,
/// mid 0.25, low 0.05. An email not value-framed is quality-framed when the relevant sensitivity is low, else neutral.
/// </summary>
public static class Framing
{
    private static readonly ulong FrameHash = EmailComposer.StableHash("frame");

    /// <summary>Chance of value framing for a sensitivity band, with and without an offer.</summary>
    public static double ValueChance(string band, bool hasOffer) => (band, hasOffer) switch
    {
        ("high", true) => 0.9,
        ("mid", true) => 0.5,
        ("low", true) => 0.1,
        ("high", false) => 0.6,
        ("mid", false) => 0.25,
        _ => 0.05,
    };

    /// <summary>The frame for these bands, drawn from <paramref name="seed"/> (same seed, same frame).</summary>
    public static string Choose(string discountSensitivity, string priceSensitivity, bool hasOffer, int seed)
    {
        var band = hasOffer ? discountSensitivity : priceSensitivity;
        var draw = (EmailComposer.Mix((ulong)(uint)seed ^ FrameHash) >> 11) * (1.0 / (1UL << 53));
        if (draw < ValueChance(band, hasOffer))
        {
            return Frames.Value;
        }
        return band == "low" ? Frames.Quality : Frames.Neutral;
    }
}
