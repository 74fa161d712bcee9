using Mailsmith.Compose;

namespace Mailsmith.Tests.Compose;

/// <summary>The spam lint's rules on the laid-out email: a plain-text part with words, and enough words per image.</summary>
public sealed class RenderedChecksTests
{
    private static string ShippedTemplates => ComposeTestData.ShippedFolder("templates", "Templates");

    [Fact]
    public void CheckRendered_CountsWordsOutsideLinksAndImagesOutsideThePixel()
    {
        const string Pixel = "<img src=\"https://t.example/o/1\" width=\"1\" height=\"1\" alt=\"\">";
        var words = string.Concat(Enumerable.Repeat("Fresh beans ", 20)); // 20 × 10 bytes outside spaces = 200
        var links = string.Concat(Enumerable.Repeat("https://shop.example/p/123?utm=x ", 50));

        Assert.Equal(200, CopyChecks.WordBytes(words + links));
        Assert.Equal(6, CopyChecks.WordBytes("咖啡")); // three bytes per CJK character
        // An unsized image counts 200 × 200; the 1×1 pixel is not an image.
        Assert.Equal((2, (200 * 200) + (160 * 160)), CopyChecks.Images("<IMG src=a><p>x</p><img src=b width=\"160\" height=\"160\">" + Pixel));

        // 200 bytes carry 100,000 px² at 0.002: three 160×160 images (76,800 px²) pass, four (102,400 px²) do not.
        Assert.True(CopyChecks.CheckRendered(Email(words + links, Images(3) + Pixel)).Passed);
        var heavy = CopyChecks.CheckRendered(Email(words + links, Images(4) + Pixel));
        var failure = Assert.Single(heavy.Failures);
        Assert.Equal((CopyChecks.Spam, "html"), (failure.Check, failure.Fragment));
        Assert.Contains("4 images (102,400 px²) for 200 bytes", failure.Detail, StringComparison.Ordinal);

        var linksOnly = CopyChecks.CheckRendered(Email(links, Pixel));
        Assert.Equal((CopyChecks.Spam, "text"), (linksOnly.Failures.Single().Check, linksOnly.Failures.Single().Fragment));
    }

    [Fact]
    public void Compose_ShippedLayouts_PassForEveryTypeAndLocale()
    {
        var composer = ComposeTestData.Default;
        for (var i = 0; i < 240; i++)
        {
            var locale = i % 2 == 0 ? "en-US" : "zh-CN";
            var context = ComposeTestData.Context(CampaignTypes.All[i % 12], locale, seed: i, products: ComposeTestData.Blocks(3 + (i % 4)));
            var email = composer.Compose(context);
            Assert.True(CopyChecks.CheckRendered(email).Passed, $"{CampaignTypes.All[i % 12]} {locale}: {string.Join("; ", CopyChecks.CheckRendered(email).Failures)}");
        }
    }

    [Fact]
    public async Task Compose_LayoutWithoutPlainText_IsNeverSent()
    {
        using var folder = new ComposeTestData.TempFolder();
        var templates = Directory.CreateDirectory(Path.Combine(folder.Path, "templates")).FullName;
        File.Copy(Path.Combine(ShippedTemplates, "email.html.liquid"), Path.Combine(templates, "email.html.liquid"));
        File.WriteAllText(Path.Combine(templates, "email.txt.liquid"), "{{ greeting }}");
        var composer = ComposeTestData.Composer(new ComposeOptions { TemplatesDirectory = templates });
        var context = ComposeTestData.Context(CampaignTypes.Welcome, "en-US");

        var error = Assert.Throws<CopyCheckException>(() => composer.Compose(context));
        Assert.Contains(error.Failures, f => f.Check == CopyChecks.Spam && f.Fragment == "text");

        var outcome = await composer.ComposeAsync(context, composer.BuiltInWriter);
        Assert.Null(outcome.Email);
        Assert.Contains(outcome.Failures, f => f.Check == CopyChecks.Spam && f.Fragment == "text");
    }

    private static string Images(int n) => string.Concat(Enumerable.Range(0, n).Select(i => $"<img src=\"https://cdn.example/{i}.jpg\" width=\"160\" height=\"160\" alt=\"p{i}\">"));

    private static ComposedEmail Email(string text, string html) => new("en-US", "Subject", "Preheader", "<html><body>" + html + "</body></html>", text, []);
}
