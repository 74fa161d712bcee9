using Mailsmith.Compose.Llm;
using Mailsmith.Pipeline;

namespace Mailsmith.Tests.Compose.Llm;

/// <summary>Configuration to writer: off by default, on from mailsmith.json with the key from the environment.</summary>
public sealed class LlmWritingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-llmcfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void CreateWriter_Default_IsOffSoTheBuiltInWriterWrites()
    {
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"));
        Assert.False(settings.Llm.Enabled);
        Assert.Null(LlmWriting.CreateWriter(settings, new CountingFallbackWriter()));
    }

    [Fact]
    public async Task CreateWriter_FromFileAndEnvironmentKey_WritesThroughTheConfiguredServer()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.Good(r)));
        var file = Path.Combine(_dir, "mailsmith.json");
        File.WriteAllText(file, $$"""{ "Llm": { "Enabled": true, "Provider": "openai", "BaseUrl": "{{stub.OpenAIBaseUrl}}", "Model": "house-model" } }""");
        // The variable the docs name; MailsmithSettings binds MAILSMITH__Section__Key.
        Environment.SetEnvironmentVariable("MAILSMITH__Llm__ApiKey", "sk-from-env");
        MailsmithSettings settings;
        try
        {
            settings = MailsmithSettings.Load(file, Path.Combine(_dir, "m.db"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("MAILSMITH__Llm__ApiKey", null);
        }
        Assert.Equal("sk-from-env", settings.Llm.ApiKey);
        Assert.Equal(Path.Combine(_dir, "m.db.llm-cache"), settings.LlmCacheDirectory);
        var fallback = new CountingFallbackWriter();
        using var writer = LlmWriting.CreateWriter(settings, fallback)!;
        Assert.Equal("llm:house-model", writer.Name);
        for (var i = 0; i < 5; i++)
        {
            await writer.WriteAsync(LlmTestPlans.Plan($"c{i}"), default);
        }
        await writer.WriteAsync(LlmTestPlans.Plan("c9", "zh-CN", firstName: "小明"), default);
        Assert.Equal("Bearer sk-from-env", stub.Requests[0].Authorization);
        var summary = LlmWriting.Summarize(writer);
        Assert.Equal(6, summary.MessagesByWriter["llm:house-model"]);
        Assert.Equal(2, summary.Calls);
        Assert.Equal("writers: llm:house-model 6; LLM calls 2, cache hits 0, segments 2", summary.ToString());
        Assert.True(Directory.EnumerateFiles(settings.LlmCacheDirectory, "*.json", SearchOption.AllDirectories).Count() == 2);
    }

    [Fact]
    public void CreateWriter_EnabledWithoutModel_IsAConfigurationError()
    {
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?> { ["Llm:Enabled"] = "true" });
        var e = Assert.Throws<ConfigurationException>(() => LlmWriting.CreateWriter(settings, new CountingFallbackWriter()));
        Assert.Contains("Llm:Model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownLlmKey_NamesIt()
    {
        var file = Path.Combine(_dir, "typo.json");
        File.WriteAllText(file, """{ "Llm": { "Modle": "x" } }""");
        Assert.Contains("Modle", Assert.Throws<ConfigurationException>(() => MailsmithSettings.Load(file, "x.db")).Message, StringComparison.Ordinal);
    }
}
