using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailsmith.Compose;

namespace Mailsmith.Tests.Compose.Llm;

/// <summary>Constructed plans in en-US and zh-CN, and model replies built from the prompt the writer actually sent.</summary>
internal static class LlmTestPlans
{
    public static EmailPlan Plan(
        string customerId, string locale = "en-US", string lifecycle = "active", string frame = Frames.Neutral,
        string? firstName = "Anna", PlanOffer? offer = null, int products = 4, string campaignId = "cmp1")
    {
        var zh = locale.StartsWith("zh", StringComparison.Ordinal);
        var items = Enumerable.Range(1, products).Select(i =>
        {
            var price = 10m + i * 2.5m;
            var formatted = zh ? "¥" + price.ToString("0.00", CultureInfo.InvariantCulture) : "$" + price.ToString("0.00", CultureInfo.InvariantCulture);
            var title = zh ? $"龙井绿茶{"一二三四五六"[i - 1]}号" : $"Longjing green tea no. {i}";
            return new PlanProduct($"P{customerId}-{i}", title, zh ? "绿茶" : "green tea", new PlanMoney(price, zh ? "CNY" : "USD", formatted),
                $"https://shop.example/p/{i}", null, title, new PlanReason("popular", null, null, zh ? "绿茶" : "green tea"));
        }).ToList();
        return new EmailPlan(
            campaignId, CampaignTypes.Recommendations, CampaignGoals.Engage, "A", 42, locale, locale,
            new PlanRecipient(customerId, firstName, null, firstName, zh ? "您" : null),
            new PlanFraming(lifecycle, "mid", "mid", frame, "winter", "evening", "repeat", "Tea"),
            items, offer, [], offer?.Expires is { } e ? [e] : [], zh ? "茶舍" : "Tea House")
        {
            ItemCount = products,
            FromPrice = items.MinBy(p => p.Price.Value)!.Price,
            TopCategory = zh ? "绿茶" : "green tea",
        };
    }

    /// <summary>The plan JSON the writer sent as the user message.</summary>
    public static JsonObject Prompt(StubRequest request) => JsonNode.Parse(request.Message("user"))!.AsObject();

    /// <summary>A well-formed, grounded reply in the prompt's language, using only offered slots.</summary>
    public static string Good(StubRequest request) => Reply(request, zh => zh
        ? ("{first_name}，为您挑选的几款好茶", "按您的口味挑选，慢慢看。",
            ["根据您喜欢的{top_category}，我们挑选了这几款。", "{lead_product}售价{lead_price}，欢迎随时来看看。"], n => $"{{product_{n}}}，售价{{product_{n}_price}}。")
        : ("{first_name}, a few picks from {store} for you", "Chosen with your taste in mind.",
            ["We picked these with your love of {top_category} in mind.", "Prices start from {from_price}. Take a look whenever you have a quiet moment."],
            n => $"{{product_{n}}} for {{product_{n}_price}}, a good match for you."));

    /// <summary>Like <see cref="Good"/>, but uses only the slots the prompt offers (for plans built by the real planner).</summary>
    public static string Adaptive(StubRequest request)
    {
        var slots = Prompt(request)["slots"]!.AsObject();
        var named = slots.ContainsKey("first_name");
        var category = slots.ContainsKey("top_category");
        return Reply(request, zh => zh
            ? (named ? "{first_name}，为您挑选的几款好物" : "为您挑选的几款好物，请慢慢看", "按您的口味挑选，慢慢看。",
                [category ? "根据您喜欢的{top_category}，我们挑选了这几款。" : "我们为您挑选了这几款。", "{lead_product}售价{lead_price}，欢迎随时来看看。"],
                n => $"{{product_{n}}}，售价{{product_{n}_price}}。")
            : (named ? "{first_name}, a few picks from {store} for you" : "A few picks from {store} chosen for you", "Chosen with your taste in mind.",
                [category ? "We picked these with your love of {top_category} in mind." : "We picked these with your taste in mind.", "Take a look whenever you have a quiet moment."],
                n => $"{{product_{n}}} for {{product_{n}_price}}, a good match for you."));
    }

    /// <summary>A reply with the given paragraphs (English), otherwise like <see cref="Good"/>.</summary>
    public static string WithParagraphs(StubRequest request, params string[] paragraphs) => Reply(request, _ =>
        ("{first_name}, a few picks from {store} for you", "Chosen with your taste in mind.", paragraphs, n => $"{{product_{n}}} for {{product_{n}_price}}."));

    public static string Reply(StubRequest request, Func<bool, (string Subject, string Preheader, string[] Paragraphs, Func<int, string> Blurb)> write, int extraProducts = 0)
    {
        var prompt = Prompt(request);
        var zh = ((string)prompt["locale"]!).StartsWith("zh", StringComparison.Ordinal);
        var count = prompt["products"]!.AsArray().Count + extraProducts;
        var (subject, preheader, paragraphs, blurb) = write(zh);
        var products = new JsonArray();
        for (var n = 1; n <= count; n++)
        {
            products.Add(new JsonObject { ["slot"] = $"product_{n}", ["blurb"] = blurb(n) });
        }
        return new JsonObject
        {
            ["subject"] = subject,
            ["preheader"] = preheader,
            ["paragraphs"] = new JsonArray(paragraphs.Select(p => (JsonNode)p).ToArray()),
            ["products"] = products,
        }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}

/// <summary>
/// The fallback side of the seam in these tests: writes a short, grounded copy from the plan and counts what it wrote,
/// so a test can tell which messages fell back. (The real built-in writer is the compose helper's BuiltInCopyWriter.)
/// </summary>
internal sealed class CountingFallbackWriter : ICopyWriter
{
    private int _count;

    public string Name => "builtin";

    public int Count => Volatile.Read(ref _count);

    public ValueTask<EmailCopy?> WriteAsync(EmailPlan plan, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        var zh = plan.Locale.StartsWith("zh", StringComparison.Ordinal);
        var blurbs = plan.Products.ToDictionary(p => p.ProductId, p => zh ? "为您挑选。" : "Picked for you.");
        return ValueTask.FromResult<EmailCopy?>(zh
            ? new EmailCopy("为您挑选的好物", "看看这些。", ["我们为您挑选了几款。"], blurbs, Name, [])
            : new EmailCopy("A few picks for you", "Have a look.", ["We picked a few things for you."], blurbs, Name, []));
    }
}
