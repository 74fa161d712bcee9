using System.Text.Encodings.Web;
using System.Text.Unicode;
using Mailsmith.Compose;
using Mailsmith.Profile;
using Mailsmith.Recommend;

namespace Mailsmith.Tests.Compose;

public class EmailComposerTests
{
    public static TheoryData<string, string> CampaignsAndLocales()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in CampaignTypes.All)
        {
            data.Add(type, "en-US");
            data.Add(type, "zh-CN");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CampaignsAndLocales))]
    public void Compose_EachCampaignAndLocale_HasEveryPartOfTheEmail(string campaignType, string locale)
    {
        var composer = ComposeTestData.Default;
        var context = ComposeTestData.Context(campaignType, locale, seed: 11);
        var draft = composer.Write(context);
        var email = composer.Render(draft);
        var chinese = locale == "zh-CN";

        Assert.Equal(locale, email.Locale);
        Assert.False(string.IsNullOrWhiteSpace(email.Subject));
        Assert.False(string.IsNullOrWhiteSpace(email.Preheader));
        Assert.False(string.IsNullOrWhiteSpace(draft.Greeting));
        Assert.StartsWith(draft.Greeting, email.Text, StringComparison.Ordinal);
        Assert.Contains(HtmlEncoder.Create(UnicodeRanges.All).Encode(email.Preheader), email.Html, StringComparison.Ordinal);
        Assert.InRange(draft.Paragraphs.Count, 2, 3);
        var length = EmailComposer.TextLength(email.Subject);
        Assert.InRange(length, chinese ? 12 : 30, chinese ? 25 : 60);

        // Products: all five shown, titles in the reader's language, prices in the reader's format.
        Assert.Equal(["p-kettle", "p-press", "p-dripper", "p-grinder", "p-tent"], email.ProductIds);
        Assert.Contains(chinese ? "手冲咖啡壶" : "Pour-over Kettle", email.Text, StringComparison.Ordinal);
        Assert.Contains(chinese ? "陶瓷滤杯" : "Ceramic Dripper", email.Html, StringComparison.Ordinal);
        Assert.Contains(chinese ? "* 手冲咖啡壶 - US$49.99" : "* Pour-over Kettle - $49.99", email.Text, StringComparison.Ordinal);
        Assert.Contains(chinese ? "* 陶瓷滤杯 - ¥299.00" : "* Ceramic Dripper - CN¥299.00", email.Text, StringComparison.Ordinal);
        Assert.Contains(chinese ? "US$249.50" : "$249.50", email.Text, StringComparison.Ordinal);
        if (chinese)
        {
            Assert.DoesNotContain("Pour-over Kettle", email.Text, StringComparison.Ordinal);
            Assert.Contains("您", email.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("你", email.Text, StringComparison.Ordinal);
        }

        // One reason per product, worded from the slot of its kind, naming what it refers to.
        Assert.Equal(
            ["reason.in_cart#1", "reason.viewed#2", "reason.bought_with#3", "reason.popular_in#4", "reason.popular#5"],
            draft.Choices.Where(c => c.Slot.StartsWith("reason.", StringComparison.Ordinal)).Select(c => c.Slot));
        Assert.Contains(chinese ? "咖啡与茶" : "Coffee & Tea", draft.Products[3].Reason, StringComparison.Ordinal);
        Assert.All(draft.Products, p => Assert.Contains(p.Reason, email.Text, StringComparison.Ordinal));
        Assert.All(draft.Products, p => Assert.StartsWith("https://t.example/c?u=", p.Url, StringComparison.Ordinal));

        // Footer: postal address and unsubscribe link in both parts.
        Assert.Contains("12 Harbour Road, Portsmouth, PO1 2AB, UK", email.Text, StringComparison.Ordinal);
        Assert.Contains("12 Harbour Road, Portsmouth, PO1 2AB, UK", email.Html, StringComparison.Ordinal);
        Assert.Contains(ComposeTestData.UnsubscribeUrl, email.Text, StringComparison.Ordinal);
        Assert.Contains("href=\"https://shop.example/u/abc123?sig=xyz\"", email.Html, StringComparison.Ordinal);
        Assert.Contains("Brew &amp; Co", email.Html, StringComparison.Ordinal);

        // Nothing unresolved: no phrase braces anywhere, no Liquid markup in either part.
        Assert.DoesNotContain('{', email.Subject + email.Preheader + email.Text);
        Assert.DoesNotContain('}', email.Subject + email.Preheader + email.Text);
        Assert.DoesNotContain("{{", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("{%", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_AbandonedCart_CallToActionGoesToTheCart()
    {
        var draft = ComposeTestData.Default.Write(ComposeTestData.Context(CampaignTypes.AbandonedCart, "en-US"));

        Assert.Equal("https://t.example/c?u=" + Uri.EscapeDataString("https://shop.example/cart"), draft.CallToActionUrl);
    }

    [Fact]
    public void Compose_MarkupInNamesAndTitles_EscapedInHtmlAndRawInText()
    {
        var hostile = ComposeTestData.MakeProduct("p-x", "Salt & Pepper <Mill>", "盐 & 胡椒 <研磨器>", 15m, "USD", "Kitchen");
        var products = ComposeTestData.Blocks(3).Select((b, i) => i == 0 ? b with { Product = hostile } : b).ToList();
        foreach (var locale in new[] { "en-US", "zh-CN" })
        {
            var customer = ComposeTestData.Customer(locale, first: "<script>alert(1)</script>", last: "O'Neil");
            // Seeds vary so that variants naming the customer are among those checked.
            for (var seed = 0; seed < 20; seed++)
            {
                var email = ComposeTestData.Default.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, locale, seed, customer, products: products));
                var title = locale == "zh-CN" ? "盐 & 胡椒 <研磨器>" : "Salt & Pepper <Mill>";

                Assert.DoesNotContain("<script>", email.Html, StringComparison.Ordinal);
                Assert.DoesNotContain("<Mill>", email.Html, StringComparison.Ordinal);
                Assert.DoesNotContain("<研磨器>", email.Html, StringComparison.Ordinal);
                Assert.Contains(title.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal), email.Html, StringComparison.Ordinal);
                Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", email.Html, StringComparison.Ordinal);
                Assert.Contains(title, email.Text, StringComparison.Ordinal);
                Assert.Contains("<script>alert(1)</script>", email.Text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Compose_FrenchCustomer_EnglishWordsAndFrenchMoney()
    {
        var context = ComposeTestData.Context(CampaignTypes.Recommendations, "fr-FR", customer: ComposeTestData.Customer("fr-FR", "Élodie", "Martin"));

        var email = ComposeTestData.Default.Compose(context);

        Assert.Equal("en-US", email.Locale);
        Assert.Contains("Unsubscribe", email.Text, StringComparison.Ordinal);
        Assert.Contains("49,99\u00A0US$", email.Text, StringComparison.Ordinal);
        Assert.Contains("299,00\u00A0CN¥", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("$49.99", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_ChineseName_FamilyNameFirstWithoutSpace()
    {
        var customer = ComposeTestData.Customer("zh-CN", first: "小明", last: "王");
        var greetings = Enumerable.Range(0, 30)
            .Select(seed => ComposeTestData.Default.Write(ComposeTestData.Context(CampaignTypes.Welcome, "zh-CN", seed, customer)).Greeting)
            .ToList();

        Assert.All(greetings, g => Assert.Contains("王小明", g, StringComparison.Ordinal));
        Assert.All(greetings, g => Assert.DoesNotContain("先生", g, StringComparison.Ordinal));
        Assert.All(greetings, g => Assert.DoesNotContain("女士", g, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("en-US", null)]
    [InlineData("en-US", "   ")]
    [InlineData("zh-CN", null)]
    [InlineData("zh-CN", "")]
    public void Compose_NoFirstName_NeverADanglingGreeting(string locale, string? firstName)
    {
        var customer = ComposeTestData.Customer(locale, first: firstName, last: "Berg");
        foreach (var type in CampaignTypes.All)
        {
            for (var seed = 0; seed < 40; seed++)
            {
                var profile = ComposeTestData.Profile(activeHour: seed % 24);
                var draft = ComposeTestData.Default.Write(ComposeTestData.Context(type, locale, seed, customer, profile));
                var everything = string.Join("\n", [draft.Subject, draft.Preheader, draft.Greeting, .. draft.Paragraphs]);

                Assert.DoesNotContain(" ,", everything, StringComparison.Ordinal);
                Assert.DoesNotContain(" !", everything, StringComparison.Ordinal);
                Assert.DoesNotContain("，，", everything, StringComparison.Ordinal);
                Assert.DoesNotContain("Berg", everything, StringComparison.Ordinal);
                Assert.False(draft.Greeting.StartsWith('，') || draft.Greeting.StartsWith(','), draft.Greeting);
                Assert.False(char.IsPunctuation(draft.Subject[0]), draft.Subject);
            }
        }
    }

    [Fact]
    public void Compose_SameSeed_IdenticalEmail()
    {
        var first = ComposeTestData.Default.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "zh-CN", seed: 99));
        var again = ComposeTestData.Composer().Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "zh-CN", seed: 99));

        Assert.Equal(first.Subject, again.Subject);
        Assert.Equal(first.Html, again.Html);
        Assert.Equal(first.Text, again.Text);
    }

    [Theory]
    [InlineData("en-US")]
    [InlineData("zh-CN")]
    public void Compose_DifferentSeeds_SubjectsVaryAcrossRecipients(string locale)
    {
        var subjects = Enumerable.Range(0, 60)
            .Select(seed => ComposeTestData.Default.Compose(ComposeTestData.Context(CampaignTypes.Welcome, locale, seed)).Subject)
            .ToList();

        Assert.True(subjects.Distinct().Count() >= 6, string.Join(" | ", subjects.Distinct()));
        Assert.True(subjects.GroupBy(s => s).Max(g => g.Count()) <= 20, "one subject dominates");
    }

    [Fact]
    public void Compose_ManyThreads_SameEmailsAsOneThread()
    {
        var contexts = Enumerable.Range(0, 200)
            .Select(i => ComposeTestData.Context(CampaignTypes.All[i % 4], i % 2 == 0 ? "en-US" : "zh-CN", seed: i))
            .ToList();
        var sequential = contexts.Select(c => ComposeTestData.Default.Compose(c).Html).ToList();
        var parallel = new string[contexts.Count];

        Parallel.For(0, contexts.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = ComposeTestData.Default.Compose(contexts[i]).Html);

        Assert.Equal(sequential, parallel);
    }

    [Theory]
    [InlineData("en-US")]
    [InlineData("zh-CN")]
    public void Write_PriceSensitivity_HighGetsValueFramingLowGetsQuality(string locale)
    {
        // 200 constructed customers: half very price-sensitive, half not at all; other traits vary with the seed.
        var counts = new Dictionary<(bool High, string Tag), int>();
        for (var i = 0; i < 200; i++)
        {
            var high = i % 2 == 0;
            var profile = ComposeTestData.Profile(
                lifecycle: Lifecycle.All[i % Lifecycle.All.Count], sensitivity: high ? 0.85 : 0.1, activeHour: (i * 7) % 24, frequency: i % 4);
            var draft = ComposeTestData.Default.Write(ComposeTestData.Context(CampaignTypes.All[i % 4], locale, seed: 1000 + i, profile: profile));
            foreach (var choice in draft.Choices.Where(c => c.Slot is "subject" or "opening"))
            {
                foreach (var tag in choice.Tags)
                {
                    counts[(high, tag)] = counts.GetValueOrDefault((high, tag)) + 1;
                }
            }
        }

        var highValue = counts.GetValueOrDefault((true, "value"));
        var lowValue = counts.GetValueOrDefault((false, "value"));
        var highQuality = counts.GetValueOrDefault((true, "quality"));
        var lowQuality = counts.GetValueOrDefault((false, "quality"));
        Assert.True(highValue >= 60, $"high-sensitivity value framing {highValue} of 200");
        Assert.True(highValue >= 5 * Math.Max(1, lowValue), $"value framing: high {highValue}, low {lowValue}");
        Assert.True(lowQuality >= 60, $"low-sensitivity quality framing {lowQuality} of 200");
        Assert.True(lowQuality >= 5 * Math.Max(1, highQuality), $"quality framing: low {lowQuality}, high {highQuality}");
    }

    [Fact]
    public void Write_MorningOrEveningActiveHour_GreetingFollowsTheTimeOfDay()
    {
        string Greetings(int hour) => string.Join("\n", Enumerable.Range(0, 60).Select(seed =>
            ComposeTestData.Default.Write(ComposeTestData.Context(
                CampaignTypes.Recommendations, "en-US", seed, profile: ComposeTestData.Profile(activeHour: hour))).Greeting));

        var morning = Greetings(8);
        var evening = Greetings(20);

        Assert.Contains("Good morning", morning, StringComparison.Ordinal);
        Assert.DoesNotContain("Good evening", morning, StringComparison.Ordinal);
        Assert.Contains("Good evening", evening, StringComparison.Ordinal);
        Assert.DoesNotContain("Good morning", evening, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", 30, 60)]
    [InlineData("zh-CN", 12, 25)]
    public void Compose_AnyProfileAndCampaign_SubjectWithinLengthRule(string locale, int min, int max)
    {
        var longName = ComposeTestData.Customer(locale, first: "Maximiliana", last: "Featherstonehaugh");
        for (var i = 0; i < 240; i++)
        {
            var profile = ComposeTestData.Profile(
                lifecycle: Lifecycle.All[i % 5], sensitivity: (i % 10) / 10.0, activeHour: i % 24, frequency: i % 3,
                categories: i % 3 == 0 ? "Outdoors > Camping" : "Electronics");
            var customer = i % 2 == 0 ? longName : ComposeTestData.Customer(locale, first: i % 5 == 0 ? null : "Li");
            var subject = ComposeTestData.Default.Write(ComposeTestData.Context(CampaignTypes.All[i % 4], locale, i, customer, profile)).Subject;

            Assert.InRange(EmailComposer.TextLength(subject), min, max);
        }
    }

    [Fact]
    public void Compose_EmojiPolicyOn_OneEmojiOnlyForAmericanEnglishAndNeverForWinback()
    {
        var composer = ComposeTestData.Composer(new ComposeOptions { EmojiInSubject = true });
        for (var seed = 0; seed < 20; seed++)
        {
            var american = composer.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "en-US", seed)).Subject;
            var winback = composer.Compose(ComposeTestData.Context(CampaignTypes.Winback, "en-US", seed)).Subject;
            var british = composer.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "en-GB", seed, ComposeTestData.Customer("en-GB"))).Subject;
            var chinese = composer.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "zh-CN", seed)).Subject;

            Assert.Equal(1, american.EnumerateRunes().Count(r => Grammar.ContainsEmoji(r.ToString())));
            Assert.InRange(EmailComposer.TextLength(american), 30, 60);
            Assert.False(Grammar.ContainsEmoji(winback), winback);
            Assert.False(Grammar.ContainsEmoji(british), british);
            Assert.False(Grammar.ContainsEmoji(chinese), chinese);
        }
        var off = ComposeTestData.Default.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "en-US", 3)).Subject;
        Assert.False(Grammar.ContainsEmoji(off), off);
    }

    [Fact]
    public void Compose_ReferencedProductUnknown_ReasonWithoutTheProductName()
    {
        var blocks = ComposeTestData.Blocks(3).ToList();
        blocks[1] = blocks[1] with { Recommendation = blocks[1].Recommendation with { Reason = new RecommendationReason(ReasonKind.Viewed, "p-gone") } };
        for (var seed = 0; seed < 20; seed++)
        {
            var draft = ComposeTestData.Default.Write(ComposeTestData.Context(CampaignTypes.Recommendations, "en-US", seed, products: blocks));

            Assert.DoesNotContain("the ", draft.Products[1].Reason, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(draft.Products[1].Reason));
        }
    }

    [Fact]
    public void Compose_MoreThanMaxProducts_ShowsMaxAndFewerThanMinThrows()
    {
        var composer = ComposeTestData.Composer(new ComposeOptions { MinProducts = 3, MaxProducts = 4 });

        var email = composer.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "en-US", products: ComposeTestData.Blocks(6)));
        var error = Assert.Throws<ArgumentException>(() => composer.Compose(ComposeTestData.Context(CampaignTypes.Recommendations, "en-US", products: ComposeTestData.Blocks(2))));

        Assert.Equal(4, email.ProductIds.Count);
        Assert.Contains("at least 3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", new[] { "More to explore", "Worth a look", "Also in our collection" })]
    [InlineData("zh-CN", new[] { "更多好物，等您发现", "值得一看", "也许您会喜欢" })]
    public void Compose_ExploreReason_MakesNoPopularityClaim(string locale, string[] phrases)
    {
        var blocks = ComposeTestData.Blocks(3).Select(b => b with { Recommendation = b.Recommendation with { Reason = new RecommendationReason(ReasonKind.Explore) } }).ToList();
        var draft = ComposeTestData.Default.Write(ComposeTestData.Context(CampaignTypes.Recommendations, locale, products: blocks));
        Assert.All(draft.Products, p => Assert.Contains(p.Reason, phrases));
    }

    [Fact]
    public void Compose_UnknownReasonKind_ThrowsNamingTheSlot()
    {
        var blocks = ComposeTestData.Blocks(3).ToList();
        blocks[0] = blocks[0] with { Recommendation = blocks[0].Recommendation with { Reason = new RecommendationReason("trending_nearby") } };

        var error = Assert.Throws<TemplateRenderException>(() => ComposeTestData.Default.Compose(ComposeTestData.Context(CampaignTypes.Welcome, "en-US", products: blocks)));

        Assert.Equal("reason.trending_nearby", error.Name);
    }

    [Fact]
    public void Locales_ShippedPhraseFiles_EnglishAndChinese()
    {
        Assert.Equal(["en-US", "zh-CN"], ComposeTestData.Default.Locales);
    }

    [Fact]
    public void Compose_VariantCondition_ExperimentArmGetsItsOwnCopy()
    {
        using var folder = new ComposeTestData.TempFolder();
        var phrases = Directory.CreateDirectory(Path.Combine(folder.Path, "phrases")).FullName;
        File.Copy(Path.Combine(ComposeTestData.ShippedFolder("phrases", "Phrases"), "en-US.json"), Path.Combine(phrases, "en-US.json"));
        var text = File.ReadAllText(Path.Combine(phrases, "en-US.json")).Replace(
            "\"greeting\": [",
            "\"greeting\": [ { \"text\": \"Greetings from arm B, {first_name},\", \"when\": { \"variant\": \"B\" }, \"weight\": 1000 },",
            StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(phrases, "en-US.json"), text);
        var composer = ComposeTestData.Composer(new ComposeOptions { PhrasesDirectory = phrases });

        var armA = composer.Write(ComposeTestData.Context(CampaignTypes.Welcome, "en-US", variant: "A")).Greeting;
        var armB = composer.Write(ComposeTestData.Context(CampaignTypes.Welcome, "en-US", variant: "B")).Greeting;

        Assert.DoesNotContain("arm B", armA, StringComparison.Ordinal);
        Assert.Equal("Greetings from arm B, Anna,", armB);
    }

    [Theory]
    [InlineData("en-US", "Anna")]
    [InlineData("zh-CN", "王小明")]
    public void Write_Paragraphs_NameAndFromPriceSaidOnce(string locale, string name)
    {
        var customer = ComposeTestData.Customer(locale, first: locale == "zh-CN" ? "小明" : "Anna", last: locale == "zh-CN" ? "王" : "Berg");
        for (var seed = 0; seed < 80; seed++)
        {
            var profile = ComposeTestData.Profile(sensitivity: 0.9, activeHour: seed % 24, frequency: seed % 3);
            var draft = ComposeTestData.Default.Write(ComposeTestData.Context(CampaignTypes.All[seed % 4], locale, seed, customer, profile));
            var body = draft.Greeting + "\n" + string.Join("\n", draft.Paragraphs);

            Assert.True(Occurrences(body, name) <= 1, body);
            Assert.True(Occurrences(body, "39.95") <= 1, body);
        }

        static int Occurrences(string text, string part) => text.Split(part).Length - 1;
    }

    [Fact]
    public void Compose_ProductWithoutImageOrUrl_CardWithoutImageLinkingToStore()
    {
        var bare = ComposeTestData.Kettle with { ImageUrl = null, Url = null };
        var products = ComposeTestData.Blocks(3).Select((b, i) => i == 0 ? b with { Product = bare } : b).ToList();

        var email = ComposeTestData.Default.Compose(ComposeTestData.Context(CampaignTypes.Welcome, "en-US", products: products));

        Assert.Equal(2, email.Html.Split("<img ").Length - 1);
        Assert.Contains("Pour-over Kettle", email.Html, StringComparison.Ordinal);
        Assert.Contains("https://t.example/c?u=" + Uri.EscapeDataString("https://shop.example"), email.Text, StringComparison.Ordinal);
    }
}
