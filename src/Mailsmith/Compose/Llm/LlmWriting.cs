using Mailsmith.Pipeline;

namespace Mailsmith.Compose.Llm;

/// <summary>What a campaign run's writers did, for its summary: messages per writer, model calls, cache hits, fallbacks.</summary>
/// <param name="MessagesByWriter">Messages whose copy each writer produced (<c>llm:model</c>, <c>builtin</c>).</param>
/// <param name="Calls">Requests sent to the model (cache hits and retries excluded).</param>
/// <param name="Segments">Micro-segments written.</param>
public sealed record LlmRunSummary(
    IReadOnlyDictionary<string, long> MessagesByWriter,
    long Calls,
    long CacheHits,
    long Segments,
    IReadOnlyDictionary<string, int> FallbacksByReason)
{
    /// <summary>One line for the CLI: <c>writers: llm:m 980, builtin 20 (fallbacks: timeout 20); LLM calls 6, cache hits 0, segments 6</c>.</summary>
    public override string ToString()
    {
        var writers = string.Join(", ", MessagesByWriter.Select(w => $"{w.Key} {w.Value:N0}"));
        var fallbacks = FallbacksByReason.Count == 0 ? "" : $" (fallbacks: {string.Join(", ", FallbacksByReason.Select(f => $"{f.Key} {f.Value:N0}"))})";
        return $"writers: {writers}{fallbacks}; LLM calls {Calls:N0}, cache hits {CacheHits:N0}, segments {Segments:N0}";
    }
}

/// <summary>
/// The campaign run's one entry point to the LLM writer: builds it from the settings when <c>Llm:Enabled</c>, with
/// the built-in writer as its fallback, and summarizes what it did.
/// </summary>
public static class LlmWriting
{
    /// <summary>
    /// The LLM writer the settings describe, wrapping <paramref name="builtIn"/> as fallback; null when <c>Llm:Enabled</c>
    /// is false (the built-in writer then writes everything). Dispose it at the end of the run.
    /// </summary>
    /// <exception cref="ConfigurationException">The <c>Llm</c> section cannot be used (no model, unknown provider or segment field, bad URL).</exception>
    public static LlmCopyWriter? CreateWriter(MailsmithSettings settings, ICopyWriter builtIn, HttpMessageHandler? handler = null)
    {
        if (!settings.Llm.Enabled)
        {
            return null;
        }
        try
        {
            return LlmCopyWriter.Create(settings.Llm, settings.LlmCacheDirectory, builtIn, handler);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            throw new ConfigurationException($"{settings.ConfigPath ?? "environment"}: section 'Llm': {e.Message}", e);
        }
    }

    /// <summary>
    /// The summary of a run in which <paramref name="writer"/> wrote (or fell back for) every message. Messages per
    /// writer are <paramref name="sentByWriter"/> when the caller counted the messages it kept (after its own checks),
    /// else the writer's own counts.
    /// </summary>
    public static LlmRunSummary Summarize(LlmCopyWriter writer, IReadOnlyDictionary<string, long>? sentByWriter = null)
    {
        var stats = writer.Stats;
        var byWriter = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (sentByWriter is not null)
        {
            foreach (var (name, count) in sentByWriter)
            {
                byWriter[name] = count;
            }
        }
        else
        {
            byWriter[writer.Name] = stats.LlmMessages;
            if (stats.FallbackMessages > 0)
            {
                byWriter["builtin"] = stats.FallbackMessages;
            }
        }
        return new LlmRunSummary(byWriter, writer.Calls, writer.CacheHits, stats.Segments, stats.FallbacksByReason);
    }
}
