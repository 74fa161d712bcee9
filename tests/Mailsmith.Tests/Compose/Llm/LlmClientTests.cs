using System.Text.Json;
using Mailsmith.Compose.Llm;

namespace Mailsmith.Tests.Compose.Llm;

/// <summary>The transport half of the LLM writer against a real HTTP stub: protocol, retries, timeouts, concurrency, cache.</summary>
public sealed class LlmClientTests : IDisposable
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}""").RootElement;

    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-llm-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private LlmOptions Options(ChatStubServer stub, string provider = LlmProviders.OpenAI, int retries = 3, double timeout = 10, int concurrency = 4) => new()
    {
        Enabled = true,
        Provider = provider,
        BaseUrl = provider == LlmProviders.OpenAI ? stub.OpenAIBaseUrl : stub.BaseUri.ToString(),
        Model = "stub-model",
        ApiKey = "sk-test-123",
        MaxRetries = retries,
        RetryDelaySeconds = 0.01,
        TimeoutSeconds = timeout,
        MaxConcurrency = concurrency,
        CacheDirectory = Path.Combine(_dir, "cache"),
    };

    [Fact]
    public async Task CompleteAsync_OpenAIProtocol_SendsModelKeySchemaAndReadsContent()
    {
        await using var stub = await ChatStubServer.StartAsync(ChatStubServer.Always("""{"a":"hello"}"""));
        var options = Options(stub);
        using var client = LlmClient.Create(options, new LlmResponseCache(options.CacheDirectory!));
        var answer = await client.CompleteAsync("system rules", "user plan", Schema);
        Assert.Equal("""{"a":"hello"}""", answer.Text);
        Assert.False(answer.FromCache);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("stub-model", (string?)request.Body["model"]);
        Assert.Equal("Bearer sk-test-123", request.Authorization);
        Assert.Equal("system rules", request.Message("system"));
        Assert.Equal("user plan", request.Message("user"));
        Assert.Equal("json_schema", (string?)request.Body["response_format"]!["type"]);
        Assert.Equal("string", (string?)request.Body["response_format"]!["json_schema"]!["schema"]!["properties"]!["a"]!["type"]);
    }

    [Fact]
    public async Task CompleteAsync_500ThenSuccess_Retries()
    {
        await using var stub = await ChatStubServer.StartAsync((_, n) => n == 1 ? new StubReply(500) : new StubReply(200, "ok"));
        using var client = LlmClient.Create(Options(stub), null);
        Assert.Equal("ok", (await client.CompleteAsync("s", "u", Schema)).Text);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(1, client.Requests);
        Assert.Equal(2, client.Attempts);
    }

    [Fact]
    public async Task CompleteAsync_429WithRetryAfterThenSuccess_Retries()
    {
        await using var stub = await ChatStubServer.StartAsync((_, n) => n == 1
            ? new StubReply(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "0" })
            : new StubReply(200, "ok"));
        using var client = LlmClient.Create(Options(stub), null);
        Assert.Equal("ok", (await client.CompleteAsync("s", "u", Schema)).Text);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_AlwaysFailing_GivesUpAfterRetriesWithReason()
    {
        await using var stub = await ChatStubServer.StartAsync((_, _) => new StubReply(503));
        using var client = LlmClient.Create(Options(stub, retries: 2), null);
        var e = await Assert.ThrowsAsync<LlmCallException>(() => client.CompleteAsync("s", "u", Schema));
        Assert.Equal("http_503", e.Reason);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_BadRequest_IsNotRetried()
    {
        await using var stub = await ChatStubServer.StartAsync((_, _) => new StubReply(400));
        using var client = LlmClient.Create(Options(stub), null);
        var e = await Assert.ThrowsAsync<LlmCallException>(() => client.CompleteAsync("s", "u", Schema));
        Assert.Equal("http_400", e.Reason);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task CompleteAsync_SlowAnswer_TimesOutAndRetries()
    {
        // The first answer takes far longer than the timeout; the retry is answered at once.
        await using var stub = await ChatStubServer.StartAsync((_, n) => n == 1 ? new StubReply(200, "late", TimeSpan.FromSeconds(30)) : new StubReply(200, "ok"));
        using var client = LlmClient.Create(Options(stub, timeout: 0.5), null);
        Assert.Equal("ok", (await client.CompleteAsync("s", "u", Schema)).Text);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_AlwaysSlow_FailsWithTimeout()
    {
        await using var stub = await ChatStubServer.StartAsync((_, _) => new StubReply(200, "late", TimeSpan.FromSeconds(30)));
        using var client = LlmClient.Create(Options(stub, retries: 1, timeout: 0.3), null);
        var e = await Assert.ThrowsAsync<LlmCallException>(() => client.CompleteAsync("s", "u", Schema));
        Assert.Equal("timeout", e.Reason);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_ConnectionRefused_FailsWithConnectionReason()
    {
        // A port that was just free: nothing listens there.
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var options = new LlmOptions { Enabled = true, BaseUrl = $"http://127.0.0.1:{port}/v1", Model = "m", MaxRetries = 1, RetryDelaySeconds = 0.01 };
        using var client = LlmClient.Create(options, null);
        var e = await Assert.ThrowsAsync<LlmCallException>(() => client.CompleteAsync("s", "u", Schema));
        Assert.Equal("connection", e.Reason);
    }

    [Fact]
    public async Task CompleteAsync_ManyAtOnce_KeepsToConcurrencyLimit()
    {
        await using var stub = await ChatStubServer.StartAsync((_, _) => new StubReply(200, "ok", TimeSpan.FromMilliseconds(150)));
        using var client = LlmClient.Create(Options(stub, concurrency: 2), null);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.CompleteAsync("s", "u" + i, Schema)));
        Assert.Equal(8, stub.Requests.Count);
        Assert.True(stub.MaxInFlight <= 2, $"{stub.MaxInFlight} requests in flight");
    }

    [Fact]
    public async Task Cache_RememberedAnswer_SurvivesANewClientAndKeysOnModel()
    {
        await using var stub = await ChatStubServer.StartAsync(ChatStubServer.Always("answer"));
        var options = Options(stub);
        using (var first = LlmClient.Create(options, new LlmResponseCache(options.CacheDirectory!)))
        {
            var answer = await first.CompleteAsync("s", "u", Schema);
            // Not remembered yet: a reply is cached only after it passed the caller's checks.
            Assert.False((await first.CompleteAsync("s", "u", Schema)).FromCache);
            await first.RememberAsync(answer);
        }
        Assert.Equal(2, stub.Requests.Count);
        using (var second = LlmClient.Create(options, new LlmResponseCache(options.CacheDirectory!)))
        {
            var again = await second.CompleteAsync("s", "u", Schema);
            Assert.True(again.FromCache);
            Assert.Equal("answer", again.Text);
            Assert.Equal(0, second.Requests);
            Assert.Equal(1, second.CacheHits);
        }
        Assert.Equal(2, stub.Requests.Count);
        using var otherModel = LlmClient.Create(new LlmOptions
        {
            Enabled = true, BaseUrl = options.BaseUrl, Model = "other-model", CacheDirectory = options.CacheDirectory,
        }, new LlmResponseCache(options.CacheDirectory!));
        Assert.False((await otherModel.CompleteAsync("s", "u", Schema)).FromCache);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_OllamaProtocol_ReadsMessageContentAndSendsSchemaAsFormat()
    {
        await using var stub = await ChatStubServer.StartAsync(ChatStubServer.Always("""{"a":"你好"}"""));
        using var client = LlmClient.Create(Options(stub, LlmProviders.Ollama), null);
        var answer = await client.CompleteAsync("system rules", "user plan", Schema);
        Assert.Equal("""{"a":"你好"}""", answer.Text);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("/api/chat", request.Path);
        Assert.Equal("stub-model", (string?)request.Body["model"]);
        Assert.Equal("user plan", request.Message("user"));
        Assert.Equal("object", (string?)request.Body["format"]!["type"]);
    }

    [Fact]
    public async Task CompleteAsync_Ollama500ThenSuccess_Retries()
    {
        await using var stub = await ChatStubServer.StartAsync((_, n) => n == 1 ? new StubReply(500) : new StubReply(200, "ok"));
        using var client = LlmClient.Create(Options(stub, LlmProviders.Ollama), null);
        Assert.Equal("ok", (await client.CompleteAsync("s", "u", Schema)).Text);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public void Create_UnknownProviderOrNoModel_Throws()
    {
        Assert.Throws<ArgumentException>(() => LlmClient.Create(new LlmOptions { Model = "m", Provider = "gemini" }, null));
        Assert.Throws<ArgumentException>(() => LlmClient.Create(new LlmOptions(), null));
        Assert.Throws<ArgumentException>(() => LlmClient.Create(new LlmOptions { Model = "m", BaseUrl = "ftp://x" }, null));
    }
}
