using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Mailsmith.Compose.Llm;

/// <summary>One answer of the model: its text, and whether it came from the disk cache (no request made).</summary>
public sealed record LlmAnswer(string Text, bool FromCache, string CacheKey);

/// <summary>A request that failed for good (after retries, or a permanent error); <see cref="Reason"/> is a short code.</summary>
public sealed class LlmCallException : Exception
{
    public LlmCallException(string reason, string message, Exception? inner = null) : base(message, inner)
    {
        Reason = reason;
    }

    public LlmCallException() : this("error", "LLM call failed") { }

    public LlmCallException(string message) : this("error", message) { }

    public LlmCallException(string message, Exception inner) : this("error", message, inner) { }

    /// <summary><c>timeout</c>, <c>http_429</c>, <c>http_500</c>, …, <c>connection</c> or <c>error</c>.</summary>
    public string Reason { get; }
}

/// <summary>
/// Asks a chat model through <see cref="IChatClient"/> with the cost and failure controls a campaign needs: the disk
/// cache first, then at most <see cref="LlmOptions.MaxConcurrency"/> requests in flight, each attempt bounded by
/// <see cref="LlmOptions.TimeoutSeconds"/>, transient failures (429, 5xx, timeouts, connection errors) retried with
/// exponential backoff (Polly).
/// </summary>
/// <remarks>Thread-safe; one per run. The provider SDK's own retries are switched off so Polly is the one retry layer.</remarks>
public sealed class LlmClient : IDisposable
{
    private readonly IChatClient _chat;
    private readonly LlmOptions _options;
    private readonly LlmResponseCache? _cache;
    private readonly SemaphoreSlim _gate;
    private readonly ResiliencePipeline _pipeline;
    private readonly HttpClient? _ownedHttp;
    private long _requests;
    private long _attempts;
    private long _cacheHits;

    /// <summary>Wraps <paramref name="chat"/>; <paramref name="cache"/> null turns the disk cache off.</summary>
    public LlmClient(IChatClient chat, LlmOptions options, LlmResponseCache? cache, TimeProvider? time = null)
        : this(chat, options, cache, time, null)
    {
    }

    private LlmClient(IChatClient chat, LlmOptions options, LlmResponseCache? cache, TimeProvider? time, HttpClient? ownedHttp)
    {
        _chat = chat;
        _options = options;
        _cache = options.Cache ? cache : null;
        _gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        _ownedHttp = ownedHttp;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(Math.Max(0, options.RetryDelaySeconds)),
                MaxDelay = TimeSpan.FromSeconds(60),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref _attempts);
                    return ValueTask.CompletedTask;
                },
            });
        }
        builder.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds > 0 ? options.TimeoutSeconds : 60));
        _pipeline = builder.Build();
    }

    /// <summary>Builds the client the options name (<c>openai</c> or <c>ollama</c>) over <paramref name="handler"/> (a fresh socket handler when null).</summary>
    /// <exception cref="ArgumentException">Unknown provider, a missing model or a malformed base URL.</exception>
    public static LlmClient Create(LlmOptions options, LlmResponseCache? cache, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new ArgumentException("Llm:Model is required when the LLM writer is enabled.", nameof(options));
        }
        // Timeouts are Polly's: the HttpClient itself waits as long as the pipeline lets it.
        var http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        IChatClient chat;
        switch (options.Provider.ToLowerInvariant())
        {
            case LlmProviders.OpenAI:
            {
                var endpoint = ParseUrl(options.BaseUrl ?? "https://api.openai.com/v1");
                var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey), new OpenAIClientOptions
                {
                    Endpoint = endpoint,
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(0),
                    NetworkTimeout = Timeout.InfiniteTimeSpan,
                });
                chat = client.GetChatClient(options.Model).AsIChatClient();
                break;
            }
            case LlmProviders.Ollama:
                http.BaseAddress = ParseUrl(options.BaseUrl ?? "http://127.0.0.1:11434");
                chat = new OllamaApiClient(http, options.Model);
                break;
            default:
                http.Dispose();
                throw new ArgumentException($"Llm:Provider '{options.Provider}' is unknown (known: {LlmProviders.OpenAI}, {LlmProviders.Ollama}).", nameof(options));
        }
        return new LlmClient(chat, options, cache, time, http);
    }

    /// <summary>Requests sent to the server (cache hits excluded; retries of one request excluded).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>HTTP attempts, retries included.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Answers served from the disk cache.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>The model named in requests.</summary>
    public string Model => _options.Model ?? "";

    /// <summary>
    /// The model's reply to one system + user prompt, from the cache when it has it. Call <see cref="RememberAsync"/>
    /// once the reply has passed the caller's checks, so only good replies are cached.
    /// </summary>
    /// <exception cref="LlmCallException">The request failed after retries, or failed permanently.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<LlmAnswer> CompleteAsync(string systemPrompt, string userPrompt, JsonElement schema, CancellationToken cancellationToken = default)
    {
        var key = LlmResponseCache.KeyOf(_options.Provider, Model, _options.ResponseFormat, systemPrompt, userPrompt);
        if (_cache is not null && await _cache.TryGetAsync(key, cancellationToken) is { } cached)
        {
            Interlocked.Increment(ref _cacheHits);
            return new LlmAnswer(cached, true, key);
        }
        var chatOptions = new ChatOptions
        {
            Temperature = (float)_options.Temperature,
            MaxOutputTokens = _options.MaxOutputTokens,
            ResponseFormat = _options.ResponseFormat switch
            {
                LlmResponseFormats.JsonSchema => ChatResponseFormat.ForJsonSchema(schema, "email_copy", "Marketing email copy with slots"),
                LlmResponseFormats.JsonObject => ChatResponseFormat.Json,
                LlmResponseFormats.None => null,
                var other => throw new LlmCallException("config", $"Llm:ResponseFormat '{other}' is unknown (known: json_schema, json_object, none)."),
            },
        };
        ChatMessage[] messages = [new(ChatRole.System, systemPrompt), new(ChatRole.User, userPrompt)];
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref _requests);
            Interlocked.Increment(ref _attempts);
            var response = await _pipeline.ExecuteAsync(
                static async (state, ct) => await state.Chat.GetResponseAsync(state.Messages, state.Options, ct),
                (Chat: _chat, Messages: messages, Options: chatOptions),
                cancellationToken);
            return new LlmAnswer(response.Text, false, key);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new LlmCallException(ReasonOf(e), $"LLM request to model '{Model}' failed: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores a reply that passed the checks, so the same prompt is not asked again.</summary>
    public async Task RememberAsync(LlmAnswer answer, CancellationToken cancellationToken = default)
    {
        if (_cache is not null && !answer.FromCache)
        {
            await _cache.SetAsync(answer.CacheKey, answer.Text, cancellationToken);
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _chat.Dispose();
        _ownedHttp?.Dispose();
    }

    /// <summary>Whether a failure may go away on retry: rate limits, server errors, timeouts, dropped connections.</summary>
    internal static bool IsTransient(Exception e) => StatusOf(e) switch
    {
        { } status => status is 408 or 429 or >= 500,
        // No status: a timeout or a connection-level failure (refused, reset, DNS) somewhere in the chain.
        null => e is TimeoutRejectedException || IsConnectionFailure(e),
    };

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    private static bool IsConnectionFailure(Exception e) =>
        Chain(e).Any(x => x is HttpRequestException or IOException or System.Net.Sockets.SocketException);

    private static int? StatusOf(Exception e)
    {
        foreach (var x in Chain(e))
        {
            switch (x)
            {
                case ClientResultException { Status: not 0 } c:
                    return c.Status;
                case HttpRequestException { StatusCode: { } code }:
                    return (int)code;
            }
        }
        return null;
    }

    private static string ReasonOf(Exception e) => e switch
    {
        TimeoutRejectedException => "timeout",
        _ when StatusOf(e) is { } status => "http_" + status.ToString(CultureInfo.InvariantCulture),
        _ when IsConnectionFailure(e) => "connection",
        _ => "error",
    };

    /// <summary>A 429's <c>Retry-After</c> (seconds), capped at a minute; null lets Polly's backoff decide.</summary>
    private static TimeSpan? RetryAfter(Exception? e)
    {
        if (e is ClientResultException c && c.GetRawResponse() is { } response
            && response.Headers.TryGetValue("Retry-After", out var value)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, 60));
        }
        return null;
    }

    private static Uri ParseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"Llm:BaseUrl '{url}' is not an http(s) URL.", nameof(url));
}
