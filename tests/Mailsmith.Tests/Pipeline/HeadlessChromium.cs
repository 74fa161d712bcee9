using System.Text.Json;
using Microsoft.Playwright;
using SkiaSharp;

namespace Mailsmith.Tests.Pipeline;

/// <summary>What a page's layout looks like at its viewport width.</summary>
/// <param name="Offenders">Visible elements whose right edge passes the viewport outside any scroll or clip container (tag.class and right edge), at most ten.</param>
public sealed record PageLayout(int ScrollWidth, int ViewportWidth, IReadOnlyList<string> Offenders);

/// <summary>How the page's first CJK text renders.</summary>
/// <param name="Fonts">The platform fonts Chromium used for that element's text (DevTools <c>CSS.getPlatformFontsForNode</c>).</param>
/// <param name="Glyphs">The distinct CJK characters drawn with the element's own font stack.</param>
/// <param name="DistinctImages">How many different images those characters drew (tofu boxes are all the same image).</param>
/// <param name="LikeNotdef">How many of them drew exactly what a code point no font has draws (the .notdef box).</param>
public sealed record CjkRendering(IReadOnlyList<string> Fonts, string Glyphs, int DistinctImages, int LikeNotdef);

/// <summary>Debian's chromium (<c>scripts/install-test-deps.sh</c>) driven by Playwright, and the page checks the browser tests share.</summary>
internal static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: run ./scripts/install-test-deps.sh (./test.sh does)");
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    // An element inside a container that scrolls or clips sideways (a <pre>, a scrolling table) cannot widen the page.
    private const string LayoutScript = """
        () => {
          const width = window.innerWidth;
          const contained = el => {
            for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== 'visible') return true;
            }
            return false;
          };
          const offenders = [];
          for (const el of [document.body, ...document.body.querySelectorAll('*')]) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0 || r.right <= width + 0.5 || contained(el)) continue;
            offenders.push(el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().replace(/\s+/g, '.') : '') + ' right=' + Math.round(r.right));
          }
          return { scrollWidth: document.documentElement.scrollWidth, viewportWidth: width, offenders: offenders.slice(0, 10) };
        }
        """;

    /// <summary>The page's scroll width and the elements that stick out past the right edge of the viewport.</summary>
    public static async Task<PageLayout> LayoutAsync(IPage page)
    {
        var json = await page.EvaluateAsync<JsonElement>(LayoutScript);
        return new PageLayout(
            json.GetProperty("scrollWidth").GetInt32(), json.GetProperty("viewportWidth").GetInt32(),
            json.GetProperty("offenders").EnumerateArray().Select(e => e.GetString()!).ToList());
    }

    /// <summary>Fails when anything on the page is wider than its viewport.</summary>
    public static async Task AssertFitsAsync(IPage page, string what)
    {
        var layout = await LayoutAsync(page);
        Assert.True(layout.ScrollWidth <= layout.ViewportWidth, $"{what}: scrollWidth {layout.ScrollWidth} > viewport {layout.ViewportWidth}px ({string.Join(", ", layout.Offenders)})");
        Assert.True(layout.Offenders.Count == 0, $"{what}: past the {layout.ViewportWidth}px viewport: {string.Join(", ", layout.Offenders)}");
    }

    /// <summary>A screenshot of the viewport, and how many distinct colours it has (counting stops at <paramref name="enough"/>).</summary>
    public static async Task<(byte[] Png, int Colours)> ScreenshotAsync(IPage page, int enough = 16)
    {
        var png = await page.ScreenshotAsync(new() { Type = ScreenshotType.Png });
        using var bitmap = SKBitmap.Decode(png);
        Assert.True(bitmap is not null, "the screenshot is not a PNG");
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height && colours.Count < enough; y += 2)
        {
            for (var x = 0; x < bitmap.Width && colours.Count < enough; x += 2)
            {
                colours.Add((uint)bitmap.GetPixel(x, y));
            }
        }
        return (png, colours.Count);
    }

    // Marks the first visible element whose own text has CJK characters, and draws its distinct characters (up to six) and a
    // code point no font covers (U+10FFFD) with that element's font stack on a canvas, each as an image.
    private const string CjkScript = """
        () => {
          const cjk = /[\u3400-\u9fff]/u;
          const all = [...document.querySelectorAll('body *')];
          // Visible text only: an email's preheader is in the markup but hidden, and hidden text is drawn with no font.
          const shown = e => e.checkVisibility({ opacityProperty: true, visibilityProperty: true })
            && e.getBoundingClientRect().height > 1 && parseFloat(getComputedStyle(e).fontSize) >= 6;
          const el = all.find(e => [...e.childNodes].some(n => n.nodeType === 3 && cjk.test(n.textContent)) && shown(e));
          if (!el) return null;
          el.setAttribute('data-cjk-probe', '');
          const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
          const glyphs = [...new Set([...text].filter(c => cjk.test(c)))].slice(0, 6);
          const style = getComputedStyle(el);
          const draw = ch => {
            const c = document.createElement('canvas');
            c.width = 64; c.height = 64;
            const g = c.getContext('2d');
            g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
            g.fillStyle = '#000'; g.textBaseline = 'top';
            g.font = '40px ' + style.fontFamily;
            g.fillText(ch, 8, 8);
            return c.toDataURL();
          };
          const images = glyphs.map(draw);
          const notdef = draw('\u{10FFFD}');
          return { glyphs: glyphs.join(''), distinct: new Set(images).size, likeNotdef: images.filter(i => i === notdef).length };
        }
        """;

    /// <summary>How the page's first CJK text renders; null when the page has none.</summary>
    public static async Task<CjkRendering?> CjkAsync(IPage page)
    {
        var probe = await page.EvaluateAsync<JsonElement?>(CjkScript);
        if (probe is not { ValueKind: JsonValueKind.Object } p)
        {
            return null;
        }
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("DOM.enable");
        await cdp.SendAsync("CSS.enable");
        var root = (await cdp.SendAsync("DOM.getDocument", new() { ["depth"] = 0 }))!.Value.GetProperty("root").GetProperty("nodeId").GetInt32();
        var node = (await cdp.SendAsync("DOM.querySelector", new() { ["nodeId"] = root, ["selector"] = "[data-cjk-probe]" }))!.Value.GetProperty("nodeId").GetInt32();
        var fonts = (await cdp.SendAsync("CSS.getPlatformFontsForNode", new() { ["nodeId"] = node }))!.Value.GetProperty("fonts")
            .EnumerateArray().Select(f => f.GetProperty("familyName").GetString()!).ToList();
        await cdp.DetachAsync();
        return new CjkRendering(fonts, p.GetProperty("glyphs").GetString()!, p.GetProperty("distinct").GetInt32(), p.GetProperty("likeNotdef").GetInt32());
    }

    /// <summary>Fails unless the page's CJK text is drawn with a CJK font and its characters are real glyphs, not tofu.</summary>
    public static async Task AssertCjkRendersAsync(IPage page, string what)
    {
        var cjk = await CjkAsync(page);
        Assert.True(cjk is not null, $"{what}: no CJK text on the page");
        Assert.True(cjk!.Glyphs.Length >= 2, $"{what}: only '{cjk.Glyphs}' to draw");
        Assert.True(cjk.Fonts.Any(f => f.Contains("CJK", StringComparison.Ordinal)), $"{what}: '{cjk.Glyphs}' rendered with {string.Join(", ", cjk.Fonts)}, no CJK font (fonts-noto-cjk)");
        Assert.True(cjk.DistinctImages == cjk.Glyphs.Length, $"{what}: {cjk.Glyphs.Length} characters drew {cjk.DistinctImages} distinct images (tofu)");
        Assert.True(cjk.LikeNotdef == 0, $"{what}: {cjk.LikeNotdef} of '{cjk.Glyphs}' drew the .notdef box");
    }
}
