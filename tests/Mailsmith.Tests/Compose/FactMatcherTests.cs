using System.Text;
using Mailsmith.Compose;

namespace Mailsmith.Tests.Compose;

/// <summary>The one-pass blanking gives exactly the per-fact search's results (<see cref="CopyChecks.BlankSequential"/>).</summary>
public sealed class FactMatcherTests
{
    // Case pairs and look-alikes that ordinal case-insensitive comparison treats in its own way (long s, dotless i,
    // Kelvin sign, final sigma, full-width letters), CJK text and punctuation, and the joiners numbers use.
    private const string Alphabet = "aAbBkKsSiI  ſıİKσςΣéÉ王小明咖啡壶，。！…’-.,:%$¥０ＡａZz19";

    [Fact]
    public void Blank_RandomFactsAndText_SameAsThePerFactSearch()
    {
        var random = new Random(11);
        for (var n = 0; n < 30_000; n++)
        {
            var facts = Enumerable.Range(0, random.Next(1, 12))
                .Select(_ => Word(random, random.Next(1, 6)))
                .Where(f => !string.IsNullOrWhiteSpace(f))
                .ToList();
            facts.Sort(static (a, b) => b.Length.CompareTo(a.Length));
            // The text is made of facts (re-cased at random) and noise, so facts occur, overlap and repeat.
            var text = new StringBuilder();
            for (var piece = random.Next(1, 10); piece > 0; piece--)
            {
                text.Append(random.Next(3) switch
                {
                    0 when facts.Count > 0 => Recase(random, facts[random.Next(facts.Count)]),
                    1 => Word(random, random.Next(1, 4)),
                    _ => " ",
                });
            }
            var value = text.ToString();
            var expected = new StringBuilder();
            CopyChecks.BlankSequential(value, [.. facts], expected);
            var actual = new StringBuilder();
            new FactMatcher([.. facts]).Blank(value, actual);
            Assert.True(expected.ToString() == actual.ToString(),
                $"text '{value}', facts [{string.Join("|", facts)}]: per-fact '{expected}', one pass '{actual}'");
        }
    }

    [Theory]
    [InlineData("Aeropress Go 2 and the aeropress", "Aeropress Go 2|Aeropress", "               and the          ")]
    [InlineData("aaaa", "aa|a", "    ")]
    [InlineData("xabcx", "abc|xab|bcx", "x   x")]
    [InlineData("手冲咖啡壶，咖啡", "手冲咖啡壶|咖啡", "     ，  ")]
    public void Blank_KnownCases(string text, string facts, string blanked)
    {
        var list = facts.Split('|').ToList();
        list.Sort(static (a, b) => b.Length.CompareTo(a.Length));
        var actual = new StringBuilder();
        new FactMatcher([.. list]).Blank(text, actual);
        Assert.Equal(blanked, actual.ToString());
    }

    private static string Word(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());

    private static string Recase(Random random, string text) =>
        new(text.Select(c => random.Next(3) switch { 0 => char.ToUpperInvariant(c), 1 => char.ToLowerInvariant(c), _ => c }).ToArray());
}
