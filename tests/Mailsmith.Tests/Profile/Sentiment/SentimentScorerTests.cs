using Mailsmith.Profile.Sentiment;

namespace Mailsmith.Tests.Profile.Sentiment;

public sealed class SentimentScorerTests
{
    private static double S(string text, string? locale = null) => SentimentScorer.Default.Score(text, locale).Score;

    [Fact]
    public void Score_UnpairedSurrogate_ScoresTheRestInsteadOfThrowing()
    {
        // Normalize throws ArgumentException on half a surrogate pair; the scorer replaces it with U+FFFD first.
        var whole = S("Great phone, works perfectly. \uD83D\uDE0A");
        Assert.True(S("Great phone, works perfectly. \uD83D") > 0.3);
        Assert.True(S("\uDE0ATerrible. It broke after two days.") < -0.3);
        Assert.True(S("质量很好\uD83D，非常满意！", "zh-CN") > 0.3);
        Assert.Equal(whole, S("Great phone, works perfectly. \uD83D\uDE0A"));
        Assert.Equal("a\uFFFDb\uD83D\uDE0A\uFFFD", SentimentScorer.WellFormed("a\uDE0Ab\uD83D\uDE0A\uD83D"));
        var clean = "no surrogates here";
        Assert.Same(clean, SentimentScorer.WellFormed(clean));
    }

    [Theory]
    [InlineData("Great phone, works perfectly.", true)]
    [InlineData("Terrible. It broke after two days.", false)]
    [InlineData("Not good at all.", false)]
    [InlineData("Not bad at all.", true)]
    [InlineData("I would not recommend this to anyone.", false)]
    [InlineData("Don't waste your money!", false)]
    [InlineData("The case looks nice but it cracked within a week.", false)]
    [InlineData("It is a little pricey, but the sound is excellent.", true)]
    [InlineData("Although it looks great, it stopped working after a month.", false)]
    [InlineData("Love it :)", true)]
    [InlineData("Arrived broken 😡", false)]
    [InlineData("No problems so far, very happy with it.", true)]
    public void English_Sentences_HaveTheExpectedSign(string text, bool positive) =>
        Assert.True(positive ? S(text) > 0 : S(text) < 0, $"{text}: {S(text)}");

    [Theory]
    [InlineData("质量很好，非常满意！", true)]
    [InlineData("质量不好，很失望。", false)]
    [InlineData("不错，物流也快。", true)]
    [InlineData("不是很满意。", false)]
    [InlineData("没有任何问题，推荐。", true)]
    [InlineData("虽然价格有点贵，但是质量确实好。", true)]
    [InlineData("包装挺好看，但是用了两天就坏了。", false)]
    [InlineData("一点也不差，物超所值。", true)]
    [InlineData("快递很快，可是东西是假货。", false)]
    [InlineData("千万别买，垃圾。", false)]
    [InlineData("差不多两天就到了，宝贝很漂亮。", true)]
    [InlineData("客服态度太差了，退货也不给退。", false)]
    public void Chinese_Sentences_HaveTheExpectedSign(string text, bool positive) =>
        Assert.True(positive ? S(text) > 0 : S(text) < 0, $"{text}: {S(text)}");

    [Fact]
    public void Modifiers_ChangeTheScoreInTheRightDirection()
    {
        Assert.True(S("very good") > S("good"));
        Assert.True(S("good") > S("slightly good"));
        Assert.True(S("good!!!") > S("good"));
        Assert.True(S("It is GOOD, really") > S("It is good, really"));
        Assert.True(S("非常好") > S("好"));
        Assert.True(S("好") > S("有点好"));
        Assert.True(S("bad") < S("not good") && S("not good") < 0);
        // Contrast: the clause after "but" decides.
        Assert.True(S("good but terrible") < 0 && S("terrible but good") > 0);
        Assert.True(S("好，但是很差") < 0 && S("差，但是很好") > 0);
        // Negation stops at a clause boundary.
        Assert.True(S("not the fastest, good value") > 0);
    }

    [Fact]
    public void Scores_AreInRangeAndLabelled()
    {
        foreach (var text in new[] { "", "   ", "the", "great great great great great great great great!!!!!", "垃圾垃圾垃圾垃圾垃圾垃圾", "ok" })
        {
            var r = SentimentScorer.Default.Score(text);
            Assert.InRange(r.Score, -1, 1);
            Assert.Equal(r.Score >= 0.05 ? "positive" : r.Score <= -0.05 ? "negative" : "neutral", r.Label);
        }
        Assert.Equal("neutral", SentimentScorer.Default.Score("The box is blue.").Label);
    }

    [Fact]
    public void Language_FollowsTheLocaleOrTheScript()
    {
        Assert.Equal(SentimentLanguage.Chinese, SentimentScorer.LanguageOf("这个iPhone壳很好"));
        Assert.Equal(SentimentLanguage.English, SentimentScorer.LanguageOf("Great case for the iPhone"));
        Assert.Equal(SentimentLanguage.Chinese, SentimentScorer.LanguageOf("ok", "zh-CN"));
        // Latin words inside Chinese text still count.
        Assert.True(S("这个耳机 nice") > 0);
        // Full-width forms fold: ＯＫ is ok.
        Assert.True(S("ＧＯＯＤ") > 0);
    }

    [Fact]
    public void Lexicons_LoadWithoutDuplicatesOrBadLines()
    {
        Assert.True(SentimentLexicon.English.Terms.Count > 400);
        Assert.True(SentimentLexicon.Chinese.Terms.Count > 400);
        Assert.True(SentimentLexicon.Emoji.Count > 50);
        // Segmentation prefers whole words: 不错 is praise, 快递 is not 快.
        Assert.Equal(TermKind.Word, SentimentLexicon.Chinese.Terms["不错"].Kind);
        Assert.Equal(0, SentimentLexicon.Chinese.Terms["快递"].Weight);
        Assert.Equal(0, S("快递"));
    }
}
