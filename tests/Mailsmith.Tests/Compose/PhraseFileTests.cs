using Mailsmith.Compose;

namespace Mailsmith.Tests.Compose;

public class PhraseFileTests
{
    private static string ShippedPhrases => ComposeTestData.ShippedFolder("phrases", "Phrases");
    private static string ShippedTemplates => ComposeTestData.ShippedFolder("templates", "Templates");

    private static string WriteEnglish(ComposeTestData.TempFolder folder, Func<string, string> edit)
    {
        var phrases = Directory.CreateDirectory(Path.Combine(folder.Path, "phrases")).FullName;
        File.WriteAllText(Path.Combine(phrases, "en-US.json"), edit(File.ReadAllText(Path.Combine(ShippedPhrases, "en-US.json"))));
        return phrases;
    }

    [Fact]
    public void ShippedFiles_EveryCampaignAndLocale_AtLeastTwentySubjectsAndOpenings()
    {
        var book = PhraseBook.Load(ShippedPhrases, "en-US");
        foreach (var locale in new[] { "en-US", "zh-CN" })
        {
            var phrases = book.For(locale);
            foreach (var type in CampaignTypes.All)
            {
                var subject = phrases.Slot(type, SlotNames.Subject)!;
                var opening = phrases.Slot(type, SlotNames.Opening)!;

                Assert.Equal(locale, subject.Locale);
                Assert.Equal(locale, opening.Locale);
                Assert.True(subject.Variants.Length >= 20, $"{locale} {type} subject has {subject.Variants.Length}");
                Assert.True(opening.Variants.Length >= 20, $"{locale} {type} opening has {opening.Variants.Length}");
                Assert.Contains(subject.Variants, v => v.Tags.Contains("value"));
                Assert.Contains(subject.Variants, v => v.Tags.Contains("quality"));
            }
        }
    }

    [Fact]
    public void For_LocaleWithoutFile_FallsBackBySameLanguageThenDefault()
    {
        var book = PhraseBook.Load(ShippedPhrases, "en-US");

        Assert.Equal("zh-CN", book.For("zh-TW").Locale);
        Assert.Equal("zh-CN", book.For("zh_CN").Locale);
        Assert.Equal("en-US", book.For("en-GB").Locale);
        Assert.Equal("en-US", book.For("de-DE").Locale);
        Assert.Equal("en-US", book.For("not-a-locale").Locale);
    }

    [Fact]
    public void CategoryName_ChineseTable_TranslatesPathsAndFallsBackToRawSegment()
    {
        var zh = PhraseBook.Load(ShippedPhrases, "en-US").For("zh-CN");

        Assert.Equal("咖啡与茶", zh.CategoryName("Kitchen > Coffee & Tea"));
        Assert.Equal("露营", zh.CategoryName("Outdoors > Camping"));
        Assert.Equal("狗狗用品", zh.CategoryName("Pets > Dog"));
        Assert.Equal("积木拼搭", zh.CategoryName("Toys > Building"));
        Assert.Equal("护肤", zh.CategoryName("Beauty > Skincare"));
        Assert.Equal("数码电子", zh.CategoryName("Electronics"));
        Assert.Equal("Synthesizers", zh.CategoryName("Music > Synthesizers"));
    }

    [Fact]
    public void Constructor_MissingSlotInChinese_FallsBackToEnglishForThatSlotOnly()
    {
        using var folder = new ComposeTestData.TempFolder();
        var phrases = Directory.CreateDirectory(Path.Combine(folder.Path, "phrases")).FullName;
        File.Copy(Path.Combine(ShippedPhrases, "en-US.json"), Path.Combine(phrases, "en-US.json"));
        var zh = File.ReadAllText(Path.Combine(ShippedPhrases, "zh-CN.json"))
            .Replace("\"footer.unsubscribe\": [\"退订邮件\"],", "", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(phrases, "zh-CN.json"), zh);
        var composer = ComposeTestData.Composer(new ComposeOptions { PhrasesDirectory = phrases });

        var draft = composer.Write(ComposeTestData.Context(CampaignTypes.Welcome, "zh-CN"));

        Assert.Equal("Unsubscribe", draft.UnsubscribeText);
        Assert.Contains("您", draft.Greeting, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnknownPlaceholder_ThrowsNamingFileLineAndPlaceholder()
    {
        using var folder = new ComposeTestData.TempFolder();
        var phrases = WriteEnglish(folder, text => text.Replace("\"Hey {first_name},\"", "\"Hey {nickname},\"", StringComparison.Ordinal));
        var line = File.ReadAllLines(Path.Combine(phrases, "en-US.json")).ToList().FindIndex(l => l.Contains("{nickname}", StringComparison.Ordinal)) + 1;

        var error = Assert.Throws<TemplateRenderException>(() => ComposeTestData.Composer(new ComposeOptions { PhrasesDirectory = phrases }));

        Assert.Equal("nickname", error.Name);
        Assert.Contains($"en-US.json:{line}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BrokenJson_ThrowsNamingFileAndLine()
    {
        using var folder = new ComposeTestData.TempFolder();
        var phrases = WriteEnglish(folder, text => text.Replace("\"Hey {first_name},\",", "\"Hey {first_name},\" oops", StringComparison.Ordinal));
        var line = File.ReadAllLines(Path.Combine(phrases, "en-US.json")).ToList().FindIndex(l => l.Contains("oops", StringComparison.Ordinal)) + 1;

        var error = Assert.Throws<InvalidDataException>(() => ComposeTestData.Composer(new ComposeOptions { PhrasesDirectory = phrases }));

        Assert.StartsWith($"en-US.json:{line}:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"when\": { \"frame\": \"value\" }", "\"when\": { \"frame\": \"extreme\" }", "extreme")]
    [InlineData("\"when\": { \"daypart\": \"morning\" }", "\"when\": { \"mood\": \"morning\" }", "unknown condition \"mood\"")]
    [InlineData("\"product.button\":", "\"product.buton\":", "unknown slot \"product.buton\"")]
    [InlineData("\"Hey {first_name},\"", "\"Hey {first_name|shout},\"", "unknown modifier")]
    [InlineData("\"[Welcome aboard|Welcome in]: a few picks from {store}\"", "\"[Welcome aboard|Welcome in]: a few picks from {store} ✨\"", "emoji")]
    public void Constructor_InvalidPhraseFile_ThrowsWithFileAndReason(string find, string replace, string expected)
    {
        using var folder = new ComposeTestData.TempFolder();
        var phrases = WriteEnglish(folder, text =>
        {
            Assert.Contains(find, text, StringComparison.Ordinal);
            var index = text.IndexOf(find, StringComparison.Ordinal);
            return text[..index] + replace + text[(index + find.Length)..];
        });

        var error = Record.Exception(() => ComposeTestData.Composer(new ComposeOptions { PhrasesDirectory = phrases }));

        Assert.True(error is InvalidDataException or TemplateRenderException, error?.ToString());
        Assert.Contains("en-US.json:", error!.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DefaultLocaleMissingASlot_ThrowsNamingIt()
    {
        using var folder = new ComposeTestData.TempFolder();
        var phrases = WriteEnglish(folder, text => text.Replace("\"footer.unsubscribe\": [\"Unsubscribe\"],", "", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => ComposeTestData.Composer(new ComposeOptions { PhrasesDirectory = phrases }));

        Assert.Contains("footer.unsubscribe", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_EveryGreetingNeedsAName_NamelessCustomerThrowsNamingThePlaceholder()
    {
        using var folder = new ComposeTestData.TempFolder();
        var phrases = WriteEnglish(folder, text =>
        {
            var start = text.IndexOf("\"greeting\": [", StringComparison.Ordinal);
            var end = text.IndexOf("\"signoff\"", start, StringComparison.Ordinal);
            return text[..start] + "\"greeting\": [\"Hi {first_name},\"],\n" + text[end..];
        });
        var composer = ComposeTestData.Composer(new ComposeOptions { PhrasesDirectory = phrases });
        var nameless = ComposeTestData.Customer("en-US", first: null);

        var error = Assert.Throws<TemplateRenderException>(() => composer.Compose(ComposeTestData.Context(CampaignTypes.Welcome, "en-US", customer: nameless)));

        Assert.Equal("first_name", error.Name);
        Assert.Contains("greeting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_CustomTemplateWithUndefinedVariable_ThrowsNamingIt()
    {
        using var folder = new ComposeTestData.TempFolder();
        var templates = Directory.CreateDirectory(Path.Combine(folder.Path, "templates")).FullName;
        File.Copy(Path.Combine(ShippedTemplates, "email.txt.liquid"), Path.Combine(templates, "email.txt.liquid"));
        File.WriteAllText(Path.Combine(templates, "email.html.liquid"), "<p>{{ greeting }}</p><p>{{ coupon_code }}</p>");
        var composer = ComposeTestData.Composer(new ComposeOptions { TemplatesDirectory = templates });

        var error = Assert.Throws<TemplateRenderException>(() => composer.Compose(ComposeTestData.Context(CampaignTypes.Welcome, "en-US")));

        Assert.Equal("coupon_code", error.Name);
        Assert.Equal("email.html.liquid", error.Location);
    }

    [Fact]
    public void Compose_CustomTemplateWithUnknownProductMember_ThrowsNamingIt()
    {
        using var folder = new ComposeTestData.TempFolder();
        var templates = Directory.CreateDirectory(Path.Combine(folder.Path, "templates")).FullName;
        File.Copy(Path.Combine(ShippedTemplates, "email.html.liquid"), Path.Combine(templates, "email.html.liquid"));
        File.WriteAllText(Path.Combine(templates, "email.txt.liquid"), "{% for p in products %}{{ p.title }} {{ p.rating }}{% endfor %}");
        var composer = ComposeTestData.Composer(new ComposeOptions { TemplatesDirectory = templates });

        var error = Assert.Throws<TemplateRenderException>(() => composer.Compose(ComposeTestData.Context(CampaignTypes.Welcome, "en-US")));

        Assert.Equal("rating", error.Name);
        Assert.Equal("email.txt.liquid", error.Location);
    }

    [Fact]
    public void Constructor_TemplateSyntaxError_ThrowsNamingTheFile()
    {
        using var folder = new ComposeTestData.TempFolder();
        var templates = Directory.CreateDirectory(Path.Combine(folder.Path, "templates")).FullName;
        File.Copy(Path.Combine(ShippedTemplates, "email.txt.liquid"), Path.Combine(templates, "email.txt.liquid"));
        File.WriteAllText(Path.Combine(templates, "email.html.liquid"), "<p>{{ greeting </p>");

        var error = Assert.Throws<InvalidDataException>(() => ComposeTestData.Composer(new ComposeOptions { TemplatesDirectory = templates }));

        Assert.StartsWith("email.html.liquid:", error.Message, StringComparison.Ordinal);
    }
}
