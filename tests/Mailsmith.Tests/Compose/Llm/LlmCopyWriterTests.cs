using Mailsmith.Compose;
using Mailsmith.Compose.Llm;

namespace Mailsmith.Tests.Compose.Llm;

/// <summary>The LLM writer end to end against a real chat-completions stub on 127.0.0.1: each kind of reply handled.</summary>
public sealed class LlmCopyWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-llmw-").FullName;
    private readonly CountingFallbackWriter _fallback = new();

    public void Dispose() => Directory.Delete(_dir, true);

    private LlmOptions Options(ChatStubServer stub, string provider = LlmProviders.OpenAI, int retries = 2, double timeout = 10, bool cache = true) => new()
    {
        Enabled = true,
        Provider = provider,
        BaseUrl = provider == LlmProviders.OpenAI ? stub.OpenAIBaseUrl : stub.BaseUri.ToString(),
        Model = "stub-model",
        MaxRetries = retries,
        RetryDelaySeconds = 0.01,
        TimeoutSeconds = timeout,
        Cache = cache,
    };

    private LlmCopyWriter Writer(LlmOptions options) => LlmCopyWriter.Create(options, Path.Combine(_dir, "cache"), _fallback);

    [Fact]
    public async Task WriteAsync_GoodReply_PersonalizesSlotsAndPassesChecks()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.Good(r)));
        using var writer = Writer(Options(stub));
        var plan = LlmTestPlans.Plan("c1");
        var copy = await writer.WriteAsync(plan, default);
        Assert.NotNull(copy);
        Assert.Equal("llm:stub-model", copy.Writer);
        Assert.Equal("Anna, a few picks from Tea House for you", copy.Subject);
        Assert.Equal("Prices start from $12.50. Take a look whenever you have a quiet moment.", copy.Paragraphs[1]);
        Assert.Equal("Longjing green tea no. 3 for $17.50, a good match for you.", copy.ProductBlurbs["Pc1-3"]);
        Assert.True(CopyChecks.Check(plan, copy).Passed);
        Assert.Equal(0, _fallback.Count);
        // The model saw slots, never the recipient's name or products.
        var sent = Assert.Single(stub.Requests).Message("user");
        Assert.DoesNotContain("Anna", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("Longjing", sent, StringComparison.Ordinal);
        Assert.Contains("{first_name}", LlmPrompt.DefaultSystemPrompt.Replace("{slot_name}", "{first_name}", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_NRecipientsInKSegments_MakesExactlyKCalls()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.Good(r), TimeSpan.FromMilliseconds(20)));
        using var writer = Writer(Options(stub));
        string[] lifecycles = ["new", "active", "at_risk"];
        string[] locales = ["en-US", "zh-CN"];
        var plans = Enumerable.Range(0, 300).Select(i => LlmTestPlans.Plan($"c{i}", locales[i % 2], lifecycles[i % 3])).ToList();
        var copies = new EmailCopy?[plans.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, plans.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) => copies[i] = await writer.WriteAsync(plans[i], ct));
        // 3 lifecycles × 2 locales = 6 micro-segments (frame and top category are the same for all).
        Assert.Equal(6, stub.Requests.Count);
        Assert.Equal(6, writer.Calls);
        Assert.Equal(6, writer.Stats.Segments);
        Assert.Equal(300, writer.Stats.LlmMessages);
        Assert.Equal(0, _fallback.Count);
        Assert.All(copies, c => Assert.Equal("llm:stub-model", c!.Writer));
        Assert.Contains(copies, c => c!.Subject.StartsWith("Anna，", StringComparison.Ordinal));
        Assert.Equal(plans.Count, copies.Select((c, i) => c!.ProductBlurbs.ContainsKey($"Pc{i}-1")).Count(x => x));
    }

    [Fact]
    public async Task WriteAsync_MalformedJson_FallsBackPerMessageWithReasonAndIsNotCached()
    {
        var replies = new[] { "{\"subject\": \"Hi\", \"preheader\": ", "```json\n{\"subject\":\"x\"}\n```" };
        foreach (var bad in replies)
        {
            await using var stub = await ChatStubServer.StartAsync(ChatStubServer.Always(bad));
            using (var writer = Writer(Options(stub)))
            {
                var first = await writer.WriteAsync(LlmTestPlans.Plan("c1"), default);
                var second = await writer.WriteAsync(LlmTestPlans.Plan("c2"), default);
                Assert.Equal("builtin", first!.Writer);
                Assert.Equal("builtin", second!.Writer);
                Assert.Equal(2, writer.Stats.FallbackMessages);
                Assert.Equal(2, writer.Stats.FallbacksByReason["malformed_json"]);
                Assert.Equal(["c1", "c2"], writer.Stats.Fallbacks.Select(f => f.CustomerId).Order());
                Assert.Single(stub.Requests);
            }
            // A bad answer is asked again next run, not replayed from the cache.
            using var again = Writer(Options(stub));
            await again.WriteAsync(LlmTestPlans.Plan("c1"), default);
            Assert.Equal(2, stub.Requests.Count);
        }
    }

    [Fact]
    public async Task WriteAsync_WrongShape_FallsBackWithSchemaReason()
    {
        await using var stub = await ChatStubServer.StartAsync(ChatStubServer.Always("""{"subject":"a","preheader":"b","paragraphs":"not a list","products":[]}"""));
        using var writer = Writer(Options(stub));
        Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
        Assert.Equal(1, writer.Stats.FallbacksByReason["schema"]);
    }

    [Fact]
    public async Task WriteAsync_InventedFiftyPercentDiscount_FailsGroundingAndFallsBack()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200,
            LlmTestPlans.WithParagraphs(r, "Take 50% off everything in {top_category} this week.", "See you soon.")));
        using var writer = Writer(Options(stub));
        // The plan's offer is 15%; 50% is the model's invention.
        var offer = new PlanOffer(null, 15, "15%", null, null);
        var copy = await writer.WriteAsync(LlmTestPlans.Plan("c1", offer: offer), default);
        Assert.Equal("builtin", copy!.Writer);
        var fallback = Assert.Single(writer.Stats.Fallbacks);
        Assert.Equal("check:grounding", fallback.Reason);
        Assert.Contains("50%", fallback.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_PlanDiscountThroughSlot_Passes()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200,
            LlmTestPlans.WithParagraphs(r, "Take {discount} off with code {code} until {expires}.", "See you soon.")));
        using var writer = Writer(Options(stub));
        var expires = new PlanDate("offer_expires", new DateOnly(2026, 12, 24), "December 24, 2026");
        var copy = await writer.WriteAsync(LlmTestPlans.Plan("c1", offer: new PlanOffer("TEA15", 15, "15%", null, expires)), default);
        Assert.Equal("llm:stub-model", copy!.Writer);
        Assert.Equal("Take 15% off with code TEA15 until December 24, 2026.", copy.Paragraphs[0]);
    }

    [Fact]
    public async Task WriteAsync_ProductWeDoNotSell_FallsBack()
    {
        // Named in the body without a slot…
        await using var named = await ChatStubServer.StartAsync((r, _) => new StubReply(200,
            LlmTestPlans.WithParagraphs(r, "Pair your tea with our new Titanium Pour-Over Kettle.", "See you soon.")));
        using (var writer = Writer(Options(named)))
        {
            Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
            Assert.Equal("proper_noun", Assert.Single(writer.Stats.Fallbacks).Reason);
        }
        // …or given a blurb slot of its own (product_5 of a 4-product email).
        await using var extra = await ChatStubServer.StartAsync((r, _) => new StubReply(200,
            LlmTestPlans.Reply(r, _ => ("{first_name}, picks from {store} for you", "Chosen for you.", ["We picked these.", "Have a look."], n => $"{{product_{n}}}."), extraProducts: 1)));
        using (var writer = Writer(Options(extra)))
        {
            Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
            Assert.Equal("unknown_product", Assert.Single(writer.Stats.Fallbacks).Reason);
        }
    }

    [Theory]
    [InlineData("Our <b>best</b> teas are here.", "check:markup")]
    [InlineData("Use your {discount_code} today.", "unknown_slot")]
    [InlineData("Hello [Company Name] fans, have a look.", "check:placeholder")]
    [InlineData("Visit https://evil.example for more.", "check:markup")]
    public async Task WriteAsync_BadFragment_FallsBackWithReason(string paragraph, string reason)
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.WithParagraphs(r, paragraph, "See you soon.")));
        using var writer = Writer(Options(stub));
        Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
        Assert.Equal(reason, Assert.Single(writer.Stats.Fallbacks).Reason);
    }

    [Fact]
    public async Task WriteAsync_EnglishCopyForChineseEmail_FailsLocaleCheck()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200,
            LlmTestPlans.Reply(r, _ => ("{first_name}, a few picks from {store}", "Chosen for you.", ["We picked these for you.", "Have a look soon."], n => $"{{product_{n}}} is a fine pick."))));
        using var writer = Writer(Options(stub));
        Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c1", "zh-CN"), default))!.Writer);
        Assert.Equal("check:locale", Assert.Single(writer.Stats.Fallbacks).Reason);
    }

    [Fact]
    public async Task WriteAsync_SlotThisRecipientCannotFill_FallsBackForThatMessageOnly()
    {
        // The segment's first plan has a first name; a plan without one is its own segment (shape), so it is asked
        // separately with no {first_name} slot offered — and a reply that still uses it fails as an unknown slot.
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.Good(r)));
        using var writer = Writer(Options(stub));
        Assert.Equal("llm:stub-model", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
        Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c2", firstName: null), default))!.Writer);
        Assert.Equal("unknown_slot", Assert.Single(writer.Stats.Fallbacks).Reason);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task WriteAsync_SlowAnswer_TimesOutAndFallsBack()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.Good(r), TimeSpan.FromSeconds(30)));
        using var writer = Writer(Options(stub, retries: 0, timeout: 0.3));
        Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
        Assert.Equal("timeout", Assert.Single(writer.Stats.Fallbacks).Reason);
    }

    [Fact]
    public async Task WriteAsync_ServerErrors_FallBackAfterRetries()
    {
        await using var stub = await ChatStubServer.StartAsync((_, _) => new StubReply(500));
        using var writer = Writer(Options(stub, retries: 2));
        Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
        Assert.Equal("builtin", (await writer.WriteAsync(LlmTestPlans.Plan("c2"), default))!.Writer);
        Assert.Equal(2, writer.Stats.FallbacksByReason["http_500"]);
        // One segment: three attempts in all, not three per recipient.
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task WriteAsync_429ThenSuccess_WritesWithTheModel()
    {
        await using var stub = await ChatStubServer.StartAsync((r, n) => n == 1
            ? new StubReply(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "0" })
            : new StubReply(200, LlmTestPlans.Good(r)));
        using var writer = Writer(Options(stub));
        Assert.Equal("llm:stub-model", (await writer.WriteAsync(LlmTestPlans.Plan("c1"), default))!.Writer);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(0, writer.Stats.FallbackMessages);
    }

    [Fact]
    public async Task WriteAsync_SecondRun_AnswersFromDiskCacheWithoutCalls()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.Good(r)));
        EmailCopy? first;
        using (var writer = Writer(Options(stub)))
        {
            first = await writer.WriteAsync(LlmTestPlans.Plan("c1"), default);
        }
        using var restarted = Writer(Options(stub));
        var again = await restarted.WriteAsync(LlmTestPlans.Plan("c1"), default);
        Assert.Single(stub.Requests);
        Assert.Equal(0, restarted.Calls);
        Assert.Equal(1, restarted.CacheHits);
        Assert.Equal(first!.Subject, again!.Subject);
        Assert.Equal("llm:stub-model", again.Writer);
    }

    [Fact]
    public async Task WriteAsync_OllamaProvider_WritesThroughApiChat()
    {
        await using var stub = await ChatStubServer.StartAsync((r, _) => new StubReply(200, LlmTestPlans.Good(r)));
        using var writer = Writer(Options(stub, LlmProviders.Ollama));
        var copy = await writer.WriteAsync(LlmTestPlans.Plan("c1", "zh-CN", firstName: "小明"), default);
        Assert.Equal("llm:stub-model", copy!.Writer);
        Assert.Equal("小明，为您挑选的几款好茶", copy.Subject);
        Assert.Equal("/api/chat", Assert.Single(stub.Requests).Path);
    }

    [Fact]
    public void Create_UnknownSegmentField_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new LlmCopyWriter(
            LlmClient.Create(new LlmOptions { Model = "m" }, null), new LlmOptions { SegmentKey = "lifecycle,shoe_size" }, _fallback, ownsClient: true));
        Assert.Contains("shoe_size", e.Message, StringComparison.Ordinal);
    }
}
