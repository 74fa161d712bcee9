using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mailsmith.Tests.Compose.Llm;

/// <summary>What the stub answers to one request: a status, the assistant message's content, a delay before answering, extra headers.</summary>
public sealed record StubReply(int Status = 200, string? Content = null, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>One request the stub received: which protocol, and the parsed JSON body.</summary>
public sealed record StubRequest(string Path, JsonObject Body, string? Authorization)
{
    /// <summary>The text of the message with <paramref name="role"/> (system, user).</summary>
    public string Message(string role) => Body["messages"]!.AsArray().First(m => (string?)m!["role"] == role)!["content"] switch
    {
        JsonValue v => (string)v!,
        // OpenAI's SDK may send content as an array of parts.
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        var other => other?.ToJsonString() ?? "",
    };
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (ephemeral port, Kestrel) speaking the two chat protocols the LLM writer uses:
/// OpenAI's <c>POST /v1/chat/completions</c> (the reply in <c>choices[0].message.content</c>) and Ollama's
/// <c>POST /api/chat</c> (the reply in <c>message.content</c>). Each request is answered by <see cref="Respond"/>.
/// </summary>
public sealed class ChatStubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StubRequest> _requests = new();
    private int _inFlight;
    private int _maxInFlight;

    private ChatStubServer(WebApplication app, Func<StubRequest, int, StubReply> respond)
    {
        _app = app;
        Respond = respond;
    }

    /// <summary>Decides the reply from the request and its 1-based sequence number.</summary>
    public Func<StubRequest, int, StubReply> Respond { get; set; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The base URL an OpenAI client needs (<c>…/v1</c>).</summary>
    public string OpenAIBaseUrl => new Uri(BaseUri, "v1").ToString();

    public IReadOnlyList<StubRequest> Requests => _requests.ToArray();

    /// <summary>The most requests the stub had in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static async Task<ChatStubServer> StartAsync(Func<StubRequest, int, StubReply> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new ChatStubServer(app, respond);
        app.MapPost("/v1/chat/completions", (HttpContext http) => stub.HandleAsync(http, ollama: false));
        app.MapPost("/api/chat", (HttpContext http) => stub.HandleAsync(http, ollama: true));
        await app.StartAsync();
        stub.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return stub;
    }

    /// <summary>A reply that always answers <paramref name="content"/> with 200.</summary>
    public static Func<StubRequest, int, StubReply> Always(string content) => (_, _) => new StubReply(200, content);

    private async Task HandleAsync(HttpContext http, bool ollama)
    {
        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        var request = new StubRequest(http.Request.Path, body, http.Request.Headers.Authorization.FirstOrDefault());
        _requests.Enqueue(request);
        var now = Interlocked.Increment(ref _inFlight);
        try
        {
            int seen;
            do
            {
                seen = Volatile.Read(ref _maxInFlight);
            }
            while (now > seen && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen);
            var reply = Respond(request, _requests.Count);
            if (reply.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(reply.Delay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                http.Response.Headers[name] = value;
            }
            http.Response.StatusCode = reply.Status;
            http.Response.ContentType = "application/json";
            var model = (string?)body["model"] ?? "stub";
            if (reply.Status != 200)
            {
                await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { message = $"stub status {reply.Status}", type = "server_error" } }));
                return;
            }
            var content = reply.Content ?? "";
            string json;
            if (ollama)
            {
                json = new JsonObject
                {
                    ["model"] = model,
                    ["created_at"] = "2026-01-01T00:00:00Z",
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["done"] = true,
                    ["done_reason"] = "stop",
                    ["prompt_eval_count"] = 10,
                    ["eval_count"] = 20,
                }.ToJsonString();
                // Ollama streams newline-delimited JSON unless asked not to; one final line serves both.
                if ((bool?)body["stream"] != false)
                {
                    http.Response.ContentType = "application/x-ndjson";
                    json += "\n";
                }
            }
            else
            {
                json = new JsonObject
                {
                    ["id"] = "chatcmpl-stub",
                    ["object"] = "chat.completion",
                    ["created"] = 1767225600,
                    ["model"] = model,
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                        ["finish_reason"] = "stop",
                    }),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 20, ["total_tokens"] = 30 },
                }.ToJsonString();
            }
            await http.Response.WriteAsync(json);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
