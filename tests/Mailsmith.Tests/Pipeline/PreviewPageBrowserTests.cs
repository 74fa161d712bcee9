using Mailsmith.Cli;

namespace Mailsmith.Tests.Pipeline;

/// <summary>The pages <c>mailsmith preview</c> writes (a gallery and one recipient's page) in a real browser, at desktop and phone widths.</summary>
[Collection("Console")]
public sealed class PreviewPageBrowserTests(PreviewStoreFixture store) : IClassFixture<PreviewStoreFixture>
{
    private async Task<string> WriteAsync(string name, params string[] args)
    {
        var file = Path.Combine(store.Root, "browser", name);
        var (code, _, error) = await store.RunAsync([.. args, "--out", file]);
        Assert.True(code == ExitCode.Success, $"exit {code}: {error}");
        return file;
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task PreviewPages_FitTheScreenRenderAndShowChineseWithACjkFont(int width)
    {
        var gallery = await WriteAsync($"gallery-{width}.html", "preview", "--campaign", store.Winback, "--samples", "6");
        var chinese = await WriteAsync($"zh-{width}.html", "preview", "--campaign", store.Recommendations, "--customer", store.ChineseCustomer);
        var english = await WriteAsync($"en-{width}.html", "preview", "--campaign", store.Recommendations, "--customer", store.ScriptedCustomer);

        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 900 } });
        foreach (var file in new[] { gallery, chinese, english })
        {
            var what = $"{Path.GetFileName(file)} at {width}px";
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            await HeadlessChromium.AssertFitsAsync(page, what);
            var (_, colours) = await HeadlessChromium.ScreenshotAsync(page);
            Assert.True(colours > 1, $"{what}: the screenshot is one flat colour");
            // Each email sits in a frame of its own: the frame's document must fit the frame too.
            var frames = page.Frames.Where(f => f != page.MainFrame).ToList();
            Assert.NotEmpty(frames);
            foreach (var frame in frames)
            {
                var overflow = await frame.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{what}: an email is {overflow}px wider than its frame");
            }
        }
        // The Chinese recipient's page (subject, preheader, text part) is drawn with a CJK font.
        await page.GotoAsync(new Uri(chinese).AbsoluteUri);
        await HeadlessChromium.AssertCjkRendersAsync(page, $"{Path.GetFileName(chinese)} at {width}px");
    }
}
