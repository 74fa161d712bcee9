using System.Collections.Concurrent;

namespace Mailsmith.Compose.Llm;

/// <summary>Why one message was written by the fallback writer instead of the model.</summary>
/// <param name="Reason">
/// <c>timeout</c>, <c>http_429</c>, <c>http_500</c>, <c>connection</c>, <c>error</c> (the request failed after retries);
/// <c>malformed_json</c>, <c>schema</c>, <c>unknown_slot</c>, <c>unknown_product</c> (the reply); <c>check:grounding</c>,
/// <c>check:markup</c>, <c>check:locale</c>, <c>check:placeholder</c>, … (the guardrails, <see cref="CopyChecks"/>);
/// <c>proper_noun</c> (a name the plan does not have); <c>missing_value</c> (a slot this recipient cannot fill).
/// </param>
public sealed record LlmFallback(string CampaignId, string CustomerId, string Segment, string Reason, string Detail);

/// <summary>What the LLM writer did in a run: messages per writer, calls, cache hits and why messages fell back.</summary>
public sealed class LlmWriterStats
{
    /// <summary>Fallback records kept in <see cref="Fallbacks"/>; all are counted in <see cref="FallbacksByReason"/>.</summary>
    public const int MaxRecords = 10_000;

    private readonly ConcurrentDictionary<string, int> _byReason = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<LlmFallback> _records = new();
    private long _llm;
    private long _fallback;
    private long _segments;
    private long _failedSegments;
    private int _kept;

    /// <summary>Messages whose copy the model wrote and the checks passed.</summary>
    public long LlmMessages => Interlocked.Read(ref _llm);

    /// <summary>Messages written by the fallback writer.</summary>
    public long FallbackMessages => Interlocked.Read(ref _fallback);

    /// <summary>Micro-segments written (one prompt each; a call unless the cache had it).</summary>
    public long Segments => Interlocked.Read(ref _segments);

    /// <summary>Micro-segments whose copy could not be used at all (every member fell back).</summary>
    public long FailedSegments => Interlocked.Read(ref _failedSegments);

    public IReadOnlyDictionary<string, int> FallbacksByReason => new SortedDictionary<string, int>(_byReason, StringComparer.Ordinal);

    public IReadOnlyList<LlmFallback> Fallbacks => _records.ToArray();

    internal void Llm() => Interlocked.Increment(ref _llm);

    internal void Segment(bool failed)
    {
        Interlocked.Increment(ref _segments);
        if (failed)
        {
            Interlocked.Increment(ref _failedSegments);
        }
    }

    internal void Fallback(LlmFallback record)
    {
        Interlocked.Increment(ref _fallback);
        _byReason.AddOrUpdate(record.Reason, 1, static (_, n) => n + 1);
        if (Interlocked.Increment(ref _kept) <= MaxRecords)
        {
            _records.Enqueue(record);
        }
    }
}

/// <summary>
/// Writes copy with a language model, once per micro-segment (campaign × locale × <see cref="LlmOptions.SegmentKey"/>),
/// and personalizes it per recipient through slots; every message that cannot be written this way — the model failed,
/// its reply is malformed, or the copy fails the checks for that recipient — is written by the fallback writer (the
/// built-in one) and recorded in <see cref="Stats"/> with its reason.
/// </summary>
/// <remarks>
/// Never returns null and never throws for a model failure: the fallback's copy is returned instead (it is null only
/// when the fallback returns null). At N recipients in K segments it makes at most K requests (fewer with the cache).
/// A reply is cached only when the copy, filled in for the first recipient of its segment, passes <see cref="CopyChecks"/>.
/// Thread-safe; one per campaign run (it remembers the run's segments).
/// </remarks>
public sealed class LlmCopyWriter : ICopyWriter, IDisposable
{
    private readonly LlmClient _client;
    private readonly ICopyWriter _fallback;
    private readonly IReadOnlyList<string> _fields;
    private readonly string _systemPrompt;
    private readonly ConcurrentDictionary<string, Lazy<Task<SegmentCopy>>> _segments = new(StringComparer.Ordinal);
    private readonly bool _ownsClient;

    /// <summary>Writes through <paramref name="client"/>; <paramref name="fallback"/> writes what the model cannot.</summary>
    /// <param name="ownsClient">Dispose <paramref name="client"/> with this writer.</param>
    /// <exception cref="ArgumentException"><see cref="LlmOptions.SegmentKey"/> names an unknown field.</exception>
    /// <exception cref="FileNotFoundException"><see cref="LlmOptions.SystemPromptFile"/> does not exist.</exception>
    public LlmCopyWriter(LlmClient client, LlmOptions options, ICopyWriter fallback, bool ownsClient = false)
    {
        _client = client;
        _fallback = fallback;
        _ownsClient = ownsClient;
        _fields = LlmPrompt.ParseKey(options.SegmentKey);
        _systemPrompt = options.SystemPromptFile is { } file
            ? File.Exists(file) ? File.ReadAllText(file) : throw new FileNotFoundException($"Llm:SystemPromptFile '{file}' not found.", file)
            : LlmPrompt.DefaultSystemPrompt;
    }

    /// <summary>Builds the writer the configuration describes, with its own client and disk cache.</summary>
    public static LlmCopyWriter Create(LlmOptions options, string cacheDirectory, ICopyWriter fallback, HttpMessageHandler? handler = null) =>
        new(LlmClient.Create(options, options.Cache ? new LlmResponseCache(cacheDirectory) : null, handler), options, fallback, ownsClient: true);

    public string Name => "llm:" + _client.Model;

    public LlmWriterStats Stats { get; } = new();

    /// <summary>Requests sent to the model in this run (cache hits and retries excluded).</summary>
    public long Calls => _client.Requests;

    /// <summary>Segments answered from the disk cache.</summary>
    public long CacheHits => _client.CacheHits;

    public async ValueTask<EmailCopy?> WriteAsync(EmailPlan plan, CancellationToken cancellationToken)
    {
        var segment = LlmPrompt.SegmentOf(plan, _fields);
        var lazy = _segments.GetOrAdd(segment, _ => new Lazy<Task<SegmentCopy>>(() => WriteSegmentAsync(plan, cancellationToken)));
        var written = await lazy.Value;
        if (written.Copy is not { } slotted)
        {
            return await FallbackAsync(plan, segment, written.Reason!, written.Detail!, cancellationToken);
        }
        var copy = Personalize(slotted, plan, out var missing);
        if (copy is null)
        {
            return await FallbackAsync(plan, segment, "missing_value", $"no value for slot '{{{missing}}}'", cancellationToken);
        }
        var check = CopyChecks.Check(plan, copy);
        if (!check.Passed)
        {
            return await FallbackAsync(plan, segment, "check:" + check.Failures[0].Check, string.Join("; ", check.Failures), cancellationToken);
        }
        Stats.Llm();
        return copy;
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task<SegmentCopy> WriteSegmentAsync(EmailPlan plan, CancellationToken cancellationToken)
    {
        var result = await AskAsync(plan, cancellationToken);
        Stats.Segment(result.Copy is null);
        return result;
    }

    private async Task<SegmentCopy> AskAsync(EmailPlan plan, CancellationToken cancellationToken)
    {
        LlmAnswer answer;
        try
        {
            answer = await _client.CompleteAsync(_systemPrompt, LlmPrompt.UserMessage(plan, _fields), LlmPrompt.Schema, cancellationToken);
        }
        catch (LlmCallException e)
        {
            return SegmentCopy.Failed(e.Reason, e.Message);
        }
        SlottedCopy slotted;
        try
        {
            slotted = LlmReply.Parse(answer.Text, plan);
        }
        catch (LlmReplyException e)
        {
            return SegmentCopy.Failed(e.Reason, e.Message);
        }
        if (ProperNouns.Find(slotted, plan) is { } name)
        {
            return SegmentCopy.Failed("proper_noun", $"'{name}' is a name the plan does not have (a product we do not sell?)");
        }
        // The copy as the segment's first recipient would get it: if it fails here it fails for everyone, and it
        // must not be cached.
        if (Personalize(slotted, plan, out var missing) is not { } sample)
        {
            return SegmentCopy.Failed("missing_value", $"no value for slot '{{{missing}}}'");
        }
        var check = CopyChecks.Check(plan, sample);
        if (!check.Passed)
        {
            return SegmentCopy.Failed("check:" + check.Failures[0].Check, string.Join("; ", check.Failures));
        }
        await _client.RememberAsync(answer, cancellationToken);
        return new SegmentCopy(slotted, null, null);
    }

    private EmailCopy? Personalize(SlottedCopy slotted, EmailPlan plan, out string? missing)
    {
        var subject = CopySlots.Fill(slotted.Subject, plan, out missing);
        var preheader = subject is null ? null : CopySlots.Fill(slotted.Preheader, plan, out missing);
        if (subject is null || preheader is null)
        {
            return null;
        }
        var paragraphs = new string[slotted.Paragraphs.Count];
        for (var i = 0; i < paragraphs.Length; i++)
        {
            if (CopySlots.Fill(slotted.Paragraphs[i], plan, out missing) is not { } paragraph)
            {
                return null;
            }
            paragraphs[i] = paragraph;
        }
        var blurbs = new Dictionary<string, string>(plan.Products.Count, StringComparer.Ordinal);
        for (var i = 0; i < plan.Products.Count && i < slotted.Blurbs.Count; i++)
        {
            if (CopySlots.Fill(slotted.Blurbs[i], plan, out missing) is not { } blurb)
            {
                return null;
            }
            blurbs[plan.Products[i].ProductId] = blurb;
        }
        return new EmailCopy(subject, preheader, paragraphs, blurbs, Name, []);
    }

    private async ValueTask<EmailCopy?> FallbackAsync(EmailPlan plan, string segment, string reason, string detail, CancellationToken cancellationToken)
    {
        Stats.Fallback(new LlmFallback(plan.CampaignId, plan.Recipient.CustomerId, segment, reason, detail));
        return await _fallback.WriteAsync(plan, cancellationToken);
    }

    private sealed record SegmentCopy(SlottedCopy? Copy, string? Reason, string? Detail)
    {
        public static SegmentCopy Failed(string reason, string detail) => new(null, reason, detail);
    }
}
