using System.Text;
using Mailsmith.Compose;

namespace Mailsmith.Tests.Compose;

public class GrammarTests
{
    [Theory]
    [InlineData("Outdoors", "an")]
    [InlineData("Camping", "a")]
    [InlineData("hour-long class", "an")]
    [InlineData("honest price", "an")]
    [InlineData("unique mug", "a")]
    [InlineData("European kettle", "a")]
    [InlineData("one-off", "a")]
    [InlineData("umbrella", "an")]
    [InlineData("LED lamp", "an")]
    [InlineData("USB cable", "a")]
    [InlineData("8-cup press", "an")]
    [InlineData("10-inch pan", "a")]
    public void IndefiniteArticle_Word_ChoosesBySound(string word, string expected)
    {
        Assert.Equal(expected, Grammar.IndefiniteArticle(word));
    }

    [Theory]
    [InlineData("coffee & tea picks. more inside! yes", "Coffee & tea picks. More inside! Yes")]
    [InlineData("from $49.99 only", "From $49.99 only")]
    [InlineData("<script>x</script>", "<script>x</script>")]
    public void PolishEnglish_LowercaseSentenceStarts_Capitalized(string input, string expected)
    {
        var builder = new StringBuilder(input);

        Grammar.PolishEnglish(builder);

        Assert.Equal(expected, builder.ToString());
    }

    [Theory]
    [InlineData("因为您浏览过 手冲咖啡壶", "因为您浏览过手冲咖啡壶")]
    [InlineData("因为您浏览过Aeropress Go", "因为您浏览过 Aeropress Go")]
    [InlineData("Aeropress便携咖啡机, 很好用!", "Aeropress 便携咖啡机，很好用！")]
    [InlineData("您的购物车里还有 3件商品. 快来看看", "您的购物车里还有3件商品。快来看看")]
    [InlineData("价格US$12.99起", "价格 US$12.99起")]
    [InlineData("感谢您的支持！ Brew & Co团队", "感谢您的支持！Brew & Co 团队")]
    public void PolishChinese_MixedText_ChineseSpacingAndPunctuation(string input, string expected)
    {
        Assert.Equal(expected, Grammar.PolishChinese(new StringBuilder(input), new StringBuilder()));
    }

    [Fact]
    public void PhraseTemplate_CountNoun_SingularAndPlural()
    {
        var nouns = new Dictionary<string, (int Id, CountForms Forms)>();
        var one = PhraseTemplate.Parse("{count} item", "test", nouns, allowCountNouns: false);
        var other = PhraseTemplate.Parse("{count} items", "test", nouns, allowCountNouns: false);
        nouns["items"] = (Placeholder.FirstCountNoun, new CountForms("items", one, other));
        var phrase = PhraseTemplate.Parse("You left {items} in {category|a} cart", "test", nouns);
        var builder = new StringBuilder();

        phrase.Render(builder, new PhraseValues { Count = 1, Category = "Outdoors" });
        builder.Append(" / ");
        phrase.Render(builder, new PhraseValues { Count = 3, Category = "Camping" });

        Assert.Equal("You left 1 item in an Outdoors cart / You left 3 items in a Camping cart", builder.ToString());
    }

    [Theory]
    [InlineData("Hi {first_name")]
    [InlineData("Hi first_name}")]
    [InlineData("Hi {}")]
    public void PhraseTemplate_StrayBraces_Throw(string text)
    {
        Assert.Throws<TemplateRenderException>(() => PhraseTemplate.Parse(text, "test", new Dictionary<string, (int, CountForms)>()));
    }
}
