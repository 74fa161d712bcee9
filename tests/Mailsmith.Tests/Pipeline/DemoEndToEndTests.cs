using System.Text.Json;
using System.Text.RegularExpressions;
using Mailsmith.Compose;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Track;
using MimeKit;

namespace Mailsmith.Tests.Pipeline;

/// <summary>Runs the whole demo once at a small size; the tests read what it left behind.</summary>
public sealed class DemoFixture : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("mailsmith-demo-").FullName;
    public DemoSummary Summary { get; private set; } = default!;
    public StoreSnapshot Snapshot { get; private set; } = default!;
    public MailsmithStore Store { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        var settings = MailsmithSettings.Load(null, Path.Combine(Root, "unused.db"), new Dictionary<string, string?>());
        Summary = await new DemoRunner(new DemoOptions { OutputDirectory = Root, Customers = 400, Seed = 7 }, settings).RunAsync();
        Store = MailsmithStore.Open(Path.Combine(Root, "mailsmith.db"));
        Snapshot = StoreSnapshot.Load(Store);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Root, true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition("Demo")]
public sealed class DemoCollection : ICollectionFixture<DemoFixture>;

[Collection("Demo")]
public sealed partial class DemoEndToEndTests(DemoFixture demo)
{
    private IEnumerable<(string Campaign, string Path, MimeMessage Message)> Emails() =>
        Directory.EnumerateFiles(Path.Combine(demo.Root, "emails"), "*.eml", SearchOption.AllDirectories)
            .Select(p => (Path.GetFileName(Path.GetDirectoryName(p)!), p, MimeMessage.Load(p)));

    [Fact]
    public void Demo_ProducesEmailsForEveryCampaignType()
    {
        Assert.Equal(CampaignTypes.All.Order(StringComparer.Ordinal), demo.Summary.Campaigns.Select(c => c.Type).Order(StringComparer.Ordinal));
        foreach (var c in demo.Summary.Campaigns)
        {
            Assert.True(c.Emails > 0, $"{c.Type} produced no email");
            Assert.Equal(c.Emails, Directory.GetFiles(Path.Combine(demo.Root, "emails", c.Id), "*.eml").Length);
        }
    }

    [Fact]
    public void SummaryJson_HasTheDocumentedShape()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(demo.Root, "summary.json")));
        var root = json.RootElement;
        foreach (var c in root.GetProperty("campaigns").EnumerateArray())
        {
            Assert.StartsWith("cmp-", c.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(c.GetProperty("type").GetString()));
            Assert.True(c.GetProperty("emails").GetInt32() > 0);
        }
        foreach (var stage in new[] { "generate", "ingest", "profile", "recommend", "compose", "deliver" })
        {
            var s = root.GetProperty("stages").GetProperty(stage);
            Assert.True(s.GetProperty("seconds").GetDouble() >= 0);
            Assert.True(s.GetProperty("count").GetInt64() > 0, stage);
        }
        Assert.True(root.GetProperty("emails_per_second").GetDouble() > 0);
    }

    [Fact]
    public void Emails_HaveBothPartsAndTheRequiredHeaders()
    {
        foreach (var (_, path, message) in Emails())
        {
            var alternative = Assert.IsType<MultipartAlternative>(message.Body);
            Assert.Equal("text/plain", alternative[0].ContentType.MimeType);
            Assert.Equal("text/html", alternative[1].ContentType.MimeType);
            Assert.False(string.IsNullOrWhiteSpace(message.Subject), path);
            Assert.False(string.IsNullOrEmpty(message.MessageId), path);
            Assert.Single(message.From.Mailboxes);
            Assert.Single(message.To.Mailboxes);
            Assert.Contains("<https://", message.Headers["List-Unsubscribe"], StringComparison.Ordinal);
            Assert.Contains("<mailto:", message.Headers["List-Unsubscribe"], StringComparison.Ordinal);
            Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        }
    }

    [Fact]
    public void Emails_NoPlaceholderOrTemplateSyntaxSurvives()
    {
        foreach (var (_, path, message) in Emails())
        {
            var text = message.TextBody ?? "";
            var html = message.HtmlBody ?? "";
            Assert.DoesNotContain("{", text, StringComparison.Ordinal);
            Assert.DoesNotContain("}", text, StringComparison.Ordinal);
            foreach (var marker in new[] { "{{", "}}", "{%", "%}" })
            {
                Assert.False(html.Contains(marker, StringComparison.Ordinal), $"{path}: '{marker}' in HTML");
                Assert.False((message.Subject ?? "").Contains(marker, StringComparison.Ordinal), $"{path}: '{marker}' in subject");
            }
            Assert.DoesNotMatch(@"\{[a-z_]+\}", html);
        }
    }

    [Fact]
    public void Emails_AreWrittenInTheRecipientsLocale()
    {
        var checkedZh = 0;
        var checkedEn = 0;
        foreach (var (_, _, message) in Emails())
        {
            var customer = demo.Snapshot.Customers.Single(c => c.Email == message.To.Mailboxes.Single().Address);
            // The recipient's own name may be written in Han characters (a ja-JP customer's kanji): it is data, not wording.
            var words = (message.Subject + message.TextBody).Replace(customer.LastName ?? "\0", "", StringComparison.Ordinal).Replace(customer.FirstName ?? "\0", "", StringComparison.Ordinal);
            var cjk = CjkRegex().Count(words);
            if (customer.Locale == "zh-CN")
            {
                Assert.True(cjk > 20, $"{customer.CustomerId}: zh-CN email has too little Chinese");
                checkedZh++;
            }
            else
            {
                // en-US wording (other locales fall back to it): no Chinese at all.
                Assert.True(cjk == 0, $"{customer.CustomerId} ({customer.Locale}): Chinese in an English email");
                checkedEn++;
            }
        }
        Assert.True(checkedZh > 0 && checkedEn > 0);
    }

    [Fact]
    public void Emails_ShowRealInStockProductsAndNeverBoughtOnesInRecommendations()
    {
        var links = new TrackingLinks(new TrackOptions(), LinkSigner.FromOptions(new TrackOptions(), Path.Combine(demo.Root, "mailsmith.db") + ".key"));
        var recommendations = demo.Summary.Campaigns.Single(c => c.Type == "recommendations").Id;
        foreach (var (campaign, path, message) in Emails())
        {
            var customer = demo.Snapshot.Customers.Single(c => c.Email == message.To.Mailboxes.Single().Address);
            var products = new HashSet<string>();
            foreach (Match m in ClickRegex().Matches(message.HtmlBody ?? ""))
            {
                Assert.True(links.TryReadClick(m.Groups[1].Value, out var reference, out var destination), $"{path}: unsigned click link");
                Assert.Equal(customer.CustomerId, reference.CustomerId);
                var product = ProductRegex().Match(destination);
                if (product.Success)
                {
                    products.Add(product.Groups[1].Value);
                }
            }
            Assert.InRange(products.Count, 3, 6);
            foreach (var id in products)
            {
                Assert.True(demo.Snapshot.ProductsById.TryGetValue(id, out var p), $"{path}: unknown product {id}");
                Assert.True(p!.InStock, $"{path}: {id} is out of stock");
            }
            if (campaign == recommendations)
            {
                var bought = demo.Snapshot.OrdersOf(customer.CustomerId).SelectMany(o => demo.Snapshot.LinesOf(o.OrderId)).Select(l => l.ProductId).ToHashSet();
                Assert.Empty(products.Intersect(bought));
            }
        }
    }

    [Fact]
    public void NobodyWithoutConsentOrUnsubscribedIsAddressed()
    {
        var addressed = Emails().Select(e => e.Message.To.Mailboxes.Single().Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ineligible = demo.Snapshot.Customers.Where(c => CampaignRunner.IneligibleReason(c, demo.Snapshot) is not null).ToList();
        Assert.NotEmpty(ineligible);
        Assert.DoesNotContain(ineligible, c => addressed.Contains(c.Email));
        // They are recorded, with the reason, not dropped silently.
        var suppressed = demo.Summary.Campaigns.Sum(c => c.Suppressed.Where(kv => kv.Key is "no_consent" or "unsubscribed").Sum(kv => kv.Value));
        Assert.True(suppressed > 0);
    }

    [Fact]
    public void EverySentEmailIsRecordedAsASendWithItsMessageId()
    {
        foreach (var c in demo.Summary.Campaigns)
        {
            var sends = demo.Store.LoadSends(c.Id);
            var sent = sends.Where(s => s.State == SendState.Sent).ToDictionary(s => s.MessageId.Trim('<', '>'));
            Assert.Equal(c.Emails, sent.Count);
            foreach (var file in Directory.GetFiles(Path.Combine(demo.Root, "emails", c.Id), "*.eml"))
            {
                var message = MimeMessage.Load(file);
                Assert.True(sent.TryGetValue(message.MessageId ?? "", out var send), file);
                Assert.Equal(Path.GetFileNameWithoutExtension(file), send!.CustomerId);
                Assert.InRange(send.AssignmentProbability, 0.0000001, 1);
            }
        }
    }

    [Fact]
    public void Preview_ShowsBothLocalesPerCampaign()
    {
        var index = File.ReadAllText(Path.Combine(demo.Root, "preview", "index.html"));
        foreach (var c in demo.Summary.Campaigns)
        {
            Assert.Contains($"id=\"{c.Id}\"", index, StringComparison.Ordinal);
        }
        Assert.Contains("zh-CN", index, StringComparison.Ordinal);
        Assert.Contains("en-US", index, StringComparison.Ordinal);
        Assert.Contains("Why these products", index, StringComparison.Ordinal);
        foreach (Match m in IframeRegex().Matches(index))
        {
            Assert.True(File.Exists(Path.Combine(demo.Root, "preview", m.Groups[1].Value)), m.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"[\u4e00-\u9fff]")]
    private static partial Regex CjkRegex();

    [GeneratedRegex(@"https://mail\.shop\.example/c/([A-Za-z0-9_\-\.]+)")]
    private static partial Regex ClickRegex();

    [GeneratedRegex(@"/p/(P\d+)")]
    private static partial Regex ProductRegex();

    [GeneratedRegex("<iframe[^>]*src=\"([^\"]+)\"")]
    private static partial Regex IframeRegex();
}

/// <summary>The preview gallery and the emails in a real browser (Debian's chromium, driven by Playwright).</summary>
[Collection("Demo")]
public sealed class PreviewBrowserTests(DemoFixture demo)
{
    // The demo's sample emails (preview/<campaign>/<customer>.html), each with its recipient's locale.
    private List<(string File, string Campaign, string Locale)> SampleEmails()
    {
        var files = Directory.GetFiles(Path.Combine(demo.Root, "preview"), "*.html", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "index.html")
            .Select(f => (f, Path.GetFileName(Path.GetDirectoryName(f)!), demo.Snapshot.CustomersById[Path.GetFileNameWithoutExtension(f)].Locale))
            .ToList();
        // The samples must cover both scripts and several campaign types, or the checks below prove little.
        Assert.Contains(files, f => f.Item3 == "en-US");
        Assert.Contains(files, f => f.Item3 == "zh-CN");
        Assert.True(files.Select(f => f.Item2).Distinct().Count() >= 4, $"{files.Count} samples from too few campaigns");
        return files;
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task Emails_FitTheScreenWithoutSidewaysScrollingAndRenderSomething(int width)
    {
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 800 } });
        foreach (var (file, campaign, locale) in SampleEmails())
        {
            var what = $"{campaign}/{Path.GetFileName(file)} ({locale}) at {width}px";
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            await HeadlessChromium.AssertFitsAsync(page, what);
            var buttons = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('a')].filter(a => a.getBoundingClientRect().width > 0).length");
            Assert.True(buttons >= 4, $"{what}: only {buttons} visible links");
            var (_, colours) = await HeadlessChromium.ScreenshotAsync(page);
            Assert.True(colours > 1, $"{what}: the screenshot is one flat colour");
        }
    }

    [Fact]
    public async Task ChineseEmails_RenderWithACjkFontNotTofu()
    {
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 375, Height = 800 } });
        foreach (var (file, campaign, _) in SampleEmails().Where(f => f.Locale == "zh-CN"))
        {
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            await HeadlessChromium.AssertCjkRendersAsync(page, $"{campaign}/{Path.GetFileName(file)}");
        }
    }

    [Fact]
    public async Task Gallery_LoadsEverySampleFrame()
    {
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("ERR_NAME_NOT_RESOLVED", StringComparison.Ordinal) && !message.Text.Contains("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        // 24 frames (12 campaign types × 2 locales) on a shared machine: wait for the document, then each frame's text.
        await page.GotoAsync(
            new Uri(Path.Combine(demo.Root, "preview", "index.html")).AbsoluteUri,
            new() { WaitUntil = Microsoft.Playwright.WaitUntilState.DOMContentLoaded, Timeout = 120_000 });
        var frames = page.Locator("iframe");
        var count = await frames.CountAsync();
        Assert.Equal(Directory.GetFiles(Path.Combine(demo.Root, "preview"), "*.html", SearchOption.AllDirectories).Length - 1, count);
        for (var i = 0; i < count; i++)
        {
            await frames.Nth(i).ScrollIntoViewIfNeededAsync();
            var frame = await (await frames.Nth(i).ElementHandleAsync()).ContentFrameAsync();
            Assert.NotNull(frame);
            var text = await frame!.InnerTextAsync("body");
            Assert.Contains("Mailsmith Demo Store", text, StringComparison.Ordinal);
        }
        Assert.Empty(errors);
    }
}
