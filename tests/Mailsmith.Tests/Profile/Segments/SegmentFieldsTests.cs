using System.Reflection;
using System.Text.RegularExpressions;
using Mailsmith.Profile;
using Mailsmith.Profile.Segments;
using Mailsmith.Storage;
using Mailsmith.Tests.Pipeline;

namespace Mailsmith.Tests.Profile.Segments;

public sealed partial class SegmentFieldsTests
{
    // Properties reached another way than a field of the same snake_case name, each with where it is reached.
    private static readonly Dictionary<string, string> ReachedOtherwise = new(StringComparer.Ordinal)
    {
        ["CustomerId"] = "customer_id (customer field)",
        ["R"] = "r_score",
        ["F"] = "f_score",
        ["M"] = "m_score",
        ["CategoryAffinity"] = "affinity(category)",
        ["BrandAffinity"] = "brand_affinity(brand)",
        ["ExpectedPurchases30"] = "expected_purchases_30",
        ["ExpectedPurchases90"] = "expected_purchases_90",
        ["ExpectedPurchases365"] = "expected_purchases_365",
        ["Clv365"] = "clv_365",
        ["PAlive"] = "p_alive",
        ["SendTimeCounts"] = "best_hour_of_week, best_hour_confidence",
        ["SignupAt"] = "signup_date",
        ["ConsentAt"] = "consent_date",
        ["UnsubscribedAt"] = "unsubscribed, unsubscribed_date",
    };

    private static string Snake(string pascal) => SnakeBoundary().Replace(pascal, "_$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex SnakeBoundary();

    [Theory]
    [InlineData(typeof(CustomerProfile))]
    [InlineData(typeof(Customer))]
    public void Registry_HasEveryPropertyOfTheProfileAndTheCustomer(Type type)
    {
        var missing = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (ReachedOtherwise.ContainsKey(property.Name) || property.Name == "EqualityContract")
            {
                continue;
            }
            if (SegmentFields.Find(Snake(property.Name)) is null)
            {
                missing.Add($"{property.Name} (expected field '{Snake(property.Name)}')");
            }
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void Registry_ReachedOtherwise_NamesExist()
    {
        foreach (var via in ReachedOtherwise.Values.SelectMany(v => v.Split(", ")))
        {
            var name = via.Split(' ', '(')[0];
            Assert.True(SegmentFields.Find(name) is not null || SegmentFields.FindFunction(name) is not null, via);
        }
    }

    [Fact]
    public void Registry_NamesAreUniqueSnakeCase_AndEveryFieldHasAnAccessorForItsType()
    {
        Assert.Equal(SegmentFields.All.Count, SegmentFields.All.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var row = Rows.Row();
        foreach (var f in SegmentFields.All)
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", f.Name);
            Assert.False(string.IsNullOrWhiteSpace(f.Description), f.Name);
            // Every field evaluates on a plain row without throwing, and 'is null' compiles for it.
            _ = f.ValueOf(row);
            _ = SegmentExpression.Compile($"{f.Name} is null", Rows.Context).Matches(row);
        }
    }

    [Fact]
    public void Docs_SegmentsMd_HasTheRegistryTablesAsGenerated()
    {
        var doc = File.ReadAllText(Path.Combine(MailsmithSettingsTests.RepoRoot(), "docs", "segments.md")).ReplaceLineEndings("\n");
        var begin = doc.IndexOf(SegmentDocs.FieldsBegin, StringComparison.Ordinal);
        var end = doc.IndexOf(SegmentDocs.FieldsEnd, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/segments.md lacks the generated field tables' markers");
        var tables = doc[(begin + SegmentDocs.FieldsBegin.Length)..end].Trim('\n') + "\n";
        foreach (var f in SegmentFields.All)
        {
            Assert.Contains($"| `{f.Name}` |", tables, StringComparison.Ordinal);
        }
        foreach (var f in SegmentFields.Functions)
        {
            Assert.Contains($"| `{f.Signature}` |", tables, StringComparison.Ordinal);
        }
        // Descriptions too: regenerate with `mailsmith segment fields --markdown` after changing the registry.
        Assert.Equal(SegmentDocs.Markdown(), tables);
    }

    [Fact]
    public void Country_IsTheRegionOfTheLocale()
    {
        Assert.Equal("US", SegmentFields.Country("en-US"));
        Assert.Equal("CN", SegmentFields.Country("zh_cn"));
        Assert.Equal("419", SegmentFields.Country("es-419"));
        Assert.Null(SegmentFields.Country("en"));
        Assert.Null(SegmentFields.Country("zh-Hans"));
    }
}
