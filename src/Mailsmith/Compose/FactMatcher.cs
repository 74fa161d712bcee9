using System.Text;

namespace Mailsmith.Compose;

/// <summary>
/// Blanks every plan fact out of a fragment in one pass over the fragment, with the results of the per-fact search it
/// replaces (<see cref="CopyChecks.BlankSequential"/>): facts in priority order (longest first), each fact's
/// occurrences taken left to right without overlapping each other or a fact taken before, ordinal case-insensitive.
/// </summary>
/// <remarks>
/// <para>Built once per plan (a few dozen facts), used for every fragment of the email; immutable and thread-safe.</para>
/// <para>Why the results are the same: the per-fact search looks for each fact in the text with earlier facts already
/// blanked to spaces. Every earlier fact is at least as long, so an occurrence that overlaps a blanked stretch has its
/// first or last character inside it, where the text now reads ' ', and only ' ' equals ' ' ignoring case. So when no
/// fact begins or ends with a space, the occurrences it finds are exactly the occurrences in the original text that
/// overlap no earlier fact's, which is what this matcher takes. Facts that begin or end with a space, or hold a
/// surrogate, make the matcher fall back to the per-fact search.</para>
/// <para>How: one scan of the fragment; at each position only the facts whose first two characters can be equal to the
/// text's (ignoring case; a hashed bit set of case-folded pairs) are compared, with
/// <see cref="MemoryExtensions.Equals(ReadOnlySpan{char}, ReadOnlySpan{char}, StringComparison)"/>. Folding never
/// separates an equal pair: ASCII characters fold to their ASCII upper case (ASCII only equals ASCII that way), caseless
/// CJK and punctuation characters to themselves (nothing else upper-cases to them); where the text has a character of
/// neither kind every fact is compared, and facts without two such first characters are compared everywhere.</para>
/// </remarks>
internal sealed class FactMatcher
{
    private readonly string[] _facts;
    private readonly bool _sequential;
    // A 4,096-bit set of the hashed, case-folded first two characters of the facts that have two foldable ones.
    private readonly ulong[] _pairBits = new ulong[64];
    private readonly int[] _pairFacts = [];
    private readonly int[] _pairHashes = [];
    // Facts shorter than two characters or starting with a character that does not fold: compared at every position.
    private readonly int[] _anywhere = [];

    public FactMatcher(string[] facts)
    {
        _facts = facts;
        var pairFacts = new List<int>(facts.Length);
        var pairHashes = new List<int>(facts.Length);
        var anywhere = new List<int>();
        for (var i = 0; i < facts.Length; i++)
        {
            var fact = facts[i];
            if (fact.Length == 0 || fact[0] == ' ' || fact[^1] == ' ' || fact.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
            {
                _sequential = true;
                return;
            }
            int a, b;
            if (fact.Length >= 2 && (a = Fold(fact[0])) >= 0 && (b = Fold(fact[1])) >= 0)
            {
                var hash = Hash(a, b);
                _pairBits[hash >> 6] |= 1UL << (hash & 63);
                pairFacts.Add(i);
                pairHashes.Add(hash);
            }
            else
            {
                anywhere.Add(i);
            }
        }
        _pairFacts = [.. pairFacts];
        _pairHashes = [.. pairHashes];
        _anywhere = [.. anywhere];
    }

    /// <summary>The facts, in priority order.</summary>
    public string[] Facts => _facts;

    /// <summary>The fragment with every plan fact replaced by spaces, in <paramref name="scratch"/> (cleared first).</summary>
    public void Blank(string text, StringBuilder scratch)
    {
        if (_sequential)
        {
            CopyChecks.BlankSequential(text, _facts, scratch);
            return;
        }
        scratch.Clear().Append(text);
        // Occurrences as (fact index << 32 | position): a fragment holds a handful.
        List<long>? found = null;
        var span = text.AsSpan();
        var bits = _pairBits;
        var next = span.Length > 0 ? Fold(span[0]) : -1;
        for (var p = 0; p < span.Length; p++)
        {
            var a = next;
            if (p + 1 < span.Length)
            {
                var b = next = Fold(span[p + 1]);
                if (a < 0 || b < 0)
                {
                    // A character that does not fold may equal several others ignoring case: compare every fact here.
                    foreach (var i in _pairFacts)
                    {
                        Compare(span, p, i, ref found);
                    }
                }
                else
                {
                    var hash = Hash(a, b);
                    if ((bits[hash >> 6] & (1UL << (hash & 63))) != 0)
                    {
                        for (var k = 0; k < _pairHashes.Length; k++)
                        {
                            if (_pairHashes[k] == hash)
                            {
                                Compare(span, p, _pairFacts[k], ref found);
                            }
                        }
                    }
                }
            }
            foreach (var i in _anywhere)
            {
                Compare(span, p, i, ref found);
            }
        }
        if (found is null)
        {
            return;
        }
        // Facts in priority order, each one's occurrences left to right: taken unless they overlap one taken before.
        found.Sort();
        Span<bool> taken = text.Length <= 1024 ? stackalloc bool[text.Length] : new bool[text.Length];
        var current = -1;
        var end = 0;
        foreach (var entry in found)
        {
            var fact = (int)(entry >> 32);
            var position = (int)entry;
            if (fact != current)
            {
                current = fact;
                end = 0;
            }
            var length = _facts[fact].Length;
            if (position < end || taken.Slice(position, length).Contains(true))
            {
                continue;
            }
            taken.Slice(position, length).Fill(true);
            for (var i = position; i < position + length; i++)
            {
                scratch[i] = ' ';
            }
            end = position + length;
        }
    }

    private void Compare(ReadOnlySpan<char> text, int position, int factIndex, ref List<long>? found)
    {
        var fact = _facts[factIndex];
        if (position + fact.Length <= text.Length && text.Slice(position, fact.Length).Equals(fact, StringComparison.OrdinalIgnoreCase))
        {
            (found ??= new List<long>(8)).Add(((long)factIndex << 32) | (uint)position);
        }
    }

    private static int Hash(int a, int b) => (int)(((uint)((a * 65599) + b) * 2654435761u) >> 20);

    /// <summary>
    /// A key equal for any two characters that are equal ignoring case, or −1 when this cannot be told cheaply: ASCII by
    /// its ASCII upper case (ASCII only equals ASCII that way), caseless characters by themselves.
    /// </summary>
    private static int Fold(char c) => c < 0x80 ? (c is >= 'a' and <= 'z' ? c - 32 : c) : IsCaseless(c) ? c : -1;

    /// <summary>
    /// Characters with no case and that no character upper-cases to: general punctuation, CJK symbols, kana, CJK
    /// ideographs, Hangul syllables and the full-width punctuation (not the full-width letters, which have case).
    /// </summary>
    private static bool IsCaseless(char c) =>
        c is >= '\u2000' and <= '\u206F' or >= '\u3000' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7A3' or >= '\uF900' and <= '\uFAFF'
            or >= '\uFF00' and <= '\uFF20' or >= '\uFF3B' and <= '\uFF40' or >= '\uFF5B' and <= '\uFFEF';
}
