using ScottPlot;
using SkiaSharp;

namespace Mailsmith.Reporting;

/// <summary>
/// The house style for PNG charts (ScottPlot), shared by every report: one CJK-capable font so Chinese labels render,
/// one palette, and the few chart shapes reports use.
/// </summary>
/// <remarks>
/// ScottPlot's default font has no CJK glyphs, so Chinese text would draw as boxes. The first installed family of
/// <see cref="PreferredFonts"/> is used for every label; Debian's fonts-noto-cjk (installed by
/// scripts/install-test-deps.sh) provides "Noto Sans CJK SC", which also covers Latin text.
/// </remarks>
public static class ChartStyle
{
    /// <summary>Font families tried in order; the first one installed is used.</summary>
    public static IReadOnlyList<string> PreferredFonts { get; } = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Noto Sans", "DejaVu Sans"];

    /// <summary>Fill colours for series, in order (colour-blind-safe: Okabe &amp; Ito).</summary>
    public static IReadOnlyList<Color> Palette { get; } =
    [
        Color.FromHex("#0072B2"), Color.FromHex("#E69F00"), Color.FromHex("#009E73"), Color.FromHex("#CC79A7"),
        Color.FromHex("#56B4E9"), Color.FromHex("#D55E00"), Color.FromHex("#F0E442"), Color.FromHex("#000000"),
    ];

    private static readonly Lazy<string?> Font = new(() =>
    {
        var installed = new HashSet<string>(SKFontManager.Default.GetFontFamilies(), StringComparer.OrdinalIgnoreCase);
        return PreferredFonts.FirstOrDefault(installed.Contains);
    });

    /// <summary>The family charts use, or null when none of <see cref="PreferredFonts"/> is installed (ScottPlot's default then).</summary>
    public static string? FontFamily => Font.Value;

    /// <summary>True when <see cref="FontFamily"/> has glyphs for Chinese text.</summary>
    public static bool SupportsCjk => FontFamily is { } family && SKTypeface.FromFamilyName(family) is { } typeface && typeface.ContainsGlyphs("中文");

    /// <summary>A new plot in the house style: white background, the CJK font, readable sizes.</summary>
    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        if (FontFamily is { } family)
        {
            plot.Font.Set(family);
        }
        plot.Title(title, size: 18);
        plot.XLabel(xLabel, size: 14);
        plot.YLabel(yLabel, size: 14);
        plot.FigureBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#E5E5E5");
        return plot;
    }

    /// <summary>
    /// Side-by-side bars: one group per category, one bar per series in each group, a legend naming the series.
    /// </summary>
    public static Plot GroupedBars(string title, string xLabel, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var width = 0.8 / Math.Max(1, series.Count);
        for (var s = 0; s < series.Count; s++)
        {
            var color = Palette[s % Palette.Count];
            var bars = new List<Bar>();
            for (var c = 0; c < categories.Count; c++)
            {
                bars.Add(new Bar
                {
                    Position = c - 0.4 + width * (s + 0.5),
                    Value = series[s].Values[c],
                    Size = width * 0.95,
                    FillColor = color,
                    LineWidth = 0,
                });
            }
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = color });
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(c => (double)c).ToArray(), [.. categories]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.Legend.Alignment = Alignment.UpperLeft;
        plot.ShowLegend();
        if (FontFamily is { } family)
        {
            plot.Legend.FontName = family;
        }
        return plot;
    }

    /// <summary>Writes <paramref name="plot"/> as a PNG, creating the folder; returns the full path.</summary>
    public static string SavePng(Plot plot, string path, int width = 900, int height = 540)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, width, height);
        return full;
    }
}
