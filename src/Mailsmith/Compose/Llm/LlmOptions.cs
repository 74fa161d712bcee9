namespace Mailsmith.Compose.Llm;

/// <summary>
/// The optional LLM writer (docs/compose-llm.md). Configuration section <c>Llm</c>. Off by default: the built-in writer
/// writes every email unless <see cref="Enabled"/> is true.
/// </summary>
public sealed class LlmOptions
{
    /// <summary>Whether campaigns are written by the LLM (with the built-in writer as per-message fallback). Default <c>false</c>.</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// Which protocol the server speaks: <c>openai</c> (any OpenAI-compatible chat-completions server: OpenAI, vLLM,
    /// llama.cpp, LM Studio, LiteLLM, …) or <c>ollama</c> (Ollama's own <c>/api/chat</c>). Default <c>openai</c>.
    /// </summary>
    public string Provider { get; init; } = LlmProviders.OpenAI;

    /// <summary>
    /// The server's base URL. Default <c>null</c>: <c>https://api.openai.com/v1</c> for <c>openai</c>,
    /// <c>http://127.0.0.1:11434</c> for <c>ollama</c>. For OpenAI-compatible servers include the <c>/v1</c> path.
    /// </summary>
    public string? BaseUrl { get; init; }

    /// <summary>The model name sent with every request (e.g. <c>gpt-4o-mini</c>, <c>llama3.1:8b</c>). Default <c>null</c>: required when enabled.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// The API key of an OpenAI-compatible server. Default <c>null</c> (servers without authentication). A secret: set it
    /// only through the environment variable <c>MAILSMITH__Llm__ApiKey</c>, never in a committed file.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// How structured output is requested: <c>json_schema</c> (the server enforces the reply's schema; OpenAI, vLLM,
    /// llama.cpp, Ollama), <c>json_object</c> (JSON mode only, for servers without schemas) or <c>none</c> (prompt only).
    /// The reply is parsed strictly whichever is chosen. Default <c>json_schema</c>.
    /// </summary>
    public string ResponseFormat { get; init; } = LlmResponseFormats.JsonSchema;

    /// <summary>Sampling temperature sent with each request. Default 0.4.</summary>
    public double Temperature { get; init; } = 0.4;

    /// <summary>Most tokens the model may write per request. Default 1200.</summary>
    public int MaxOutputTokens { get; init; } = 1200;

    /// <summary>Time allowed for one attempt (one HTTP request), in seconds; a slower answer counts as a transient failure. Default 60.</summary>
    public double TimeoutSeconds { get; init; } = 60;

    /// <summary>Retries after a transient failure (HTTP 429, 5xx, timeouts, connection errors), with exponential backoff and jitter. Default 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Backoff before the first retry, in seconds; it doubles each retry. A <c>Retry-After</c> header of a 429 wins. Default 1.</summary>
    public double RetryDelaySeconds { get; init; } = 1;

    /// <summary>Most requests in flight at once (across all segments of a run). Default 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>
    /// Folder of the response cache: one file per (model, prompt) hash, so a re-run or a restarted run asks the model
    /// nothing it has answered before. Default <c>null</c>: <c>&lt;database&gt;.llm-cache</c> beside the database.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Whether the response cache is read and written. Default <c>true</c>.</summary>
    public bool Cache { get; init; } = true;

    /// <summary>
    /// The plan fields that make a micro-segment, comma-separated: one LLM call writes the copy of every recipient with
    /// the same values. The campaign, the locale and the plan's shape (offer kind, number of products, whether a first
    /// name, a top category and a from-price are known) are always part of the key. Known fields: <c>lifecycle</c>,
    /// <c>framing</c>, <c>top_category</c>, <c>price_band</c>, <c>variant</c>, <c>reasons</c> (the reason kind of each
    /// product). Default <c>lifecycle,framing,top_category</c>.
    /// </summary>
    public string SegmentKey { get; init; } = "lifecycle,framing,top_category";

    /// <summary>
    /// A file whose text replaces the built-in system prompt (the rules the model must follow; the plan and the slots are
    /// always appended by Mailsmith). Default <c>null</c>: the built-in prompt (docs/compose-llm.md).
    /// </summary>
    public string? SystemPromptFile { get; init; }
}

/// <summary>Values of <see cref="LlmOptions.Provider"/>.</summary>
public static class LlmProviders
{
    public const string OpenAI = "openai";
    public const string Ollama = "ollama";
}

/// <summary>Values of <see cref="LlmOptions.ResponseFormat"/>.</summary>
public static class LlmResponseFormats
{
    public const string JsonSchema = "json_schema";
    public const string JsonObject = "json_object";
    public const string None = "none";
}
