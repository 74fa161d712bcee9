namespace Mailsmith.Compose;

/// <summary>
/// Writes the words of one email from its plan: the built-in phrase writer (<c>BuiltInCopyWriter</c>) or a
/// language model. The boundary between "what to say" (<see cref="EmailPlan"/>) and "how it looks" (the layouts).
/// </summary>
/// <remarks>
/// Output is plain text: no markup, no entities, no placeholders; the renderer escapes every fragment it inserts.
/// Whatever wrote it, the copy goes through <see cref="CopyChecks.Check"/> before it is rendered; copy that fails is
/// recorded and replaced by the built-in writer's, or the message is skipped. Implementations are thread-safe.
/// </remarks>
public interface ICopyWriter
{
    /// <summary>A short id recorded with each message (<c>builtin</c>, <c>llm:gpt-4o-mini</c>).</summary>
    string Name { get; }

    /// <summary>The copy for <paramref name="plan"/>, or null when this writer cannot write it (the caller falls back).</summary>
    ValueTask<EmailCopy?> WriteAsync(EmailPlan plan, CancellationToken cancellationToken);
}

/// <summary>The words of one email, plain-text fragments only.</summary>
/// <param name="Subject">One line.</param>
/// <param name="Preheader">The inbox preview line.</param>
/// <param name="Paragraphs">Body paragraphs in order (1–4), after the greeting the layout adds.</param>
/// <param name="ProductBlurbs">One sentence per product, by <see cref="PlanProduct.ProductId"/>; products without one show their reason.</param>
/// <param name="Writer">The <see cref="ICopyWriter.Name"/> that wrote it.</param>
/// <param name="Choices">Phrase variants drawn per slot (built-in writer), empty for other writers; Learn weights slots by these.</param>
public sealed record EmailCopy(
    string Subject,
    string Preheader,
    IReadOnlyList<string> Paragraphs,
    IReadOnlyDictionary<string, string> ProductBlurbs,
    string Writer,
    IReadOnlyList<PhraseChoice> Choices);
