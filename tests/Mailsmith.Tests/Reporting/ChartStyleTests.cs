using Mailsmith.Reporting;

namespace Mailsmith.Tests.Reporting;

public sealed class ChartStyleTests
{
    [Fact]
    public void Font_IsInstalledAndCoversChinese()
    {
        // scripts/install-test-deps.sh installs fonts-noto-cjk; without it Chinese labels would render as boxes.
        Assert.Equal("Noto Sans CJK SC", ChartStyle.FontFamily);
        Assert.True(ChartStyle.SupportsCjk);
    }

    [Fact]
    public void GroupedBars_ChineseLabels_RendersAPng()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-chart-").FullName;
        try
        {
            var plot = ChartStyle.GroupedBars("各分群人数", "分群", "客户数", ["冠军", "忠诚", "流失"], [("实际", [3, 5, 2]), ("预测", [2.5, 5.5, 1.8])]);
            var path = ChartStyle.SavePng(plot, Path.Combine(dir, "sub", "chart.png"), 600, 400);
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 5_000);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
