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
/// <para>How: one scan of the fragment; at each position only the facts whose first character can be equal to the
/// text's (ignoring case) are compared, with <see cref="MemoryExtensions.Equals(ReadOnlySpan{char}, ReadOnlySpan{char}, StringComparison)"/>.
/// The first characters are grouped so that grouping never misses an equal pair: ASCII characters by their ASCII
/// upper case (ASCII only equals ASCII that way), caseless CJK and punctuation characters by themselves (nothing else
/// upper-cases to them), and facts starting with anything else are compared at every position; at a text character
/// outside both groups every fact is compared.</para>
/// </remarks>
internal sealed class FactMatcher
{
    private readonly string[] _facts;
    private readonly bool _sequential;
    // ASCII first characters (upper-cased) of the facts that start with one, by fact index; 0 for the other facts.
    private readonly char[] _asciiFirst;
    private readonly ulong _asciiMask0;
    private readonly ulong _asciiMask1;
    // Caseless first characters by fact index; 0 for the other facts.
    private readonly char[] _caselessFirst;
    private readonly ulong _caselessMask;
    // Facts whose first character is neither: compared at every position.
    private readonly int[] _anywhere = [];

    public FactMatcher(string[] facts)
    {
        _facts = facts;
        _asciiFirst = new char[facts.Length];
        _caselessFirst = new char[facts.Length];
        var anywhere = new List<int>();
        for (var i = 0; i < facts.Length; i++)
        {
            var fact = facts[i];
            if (fact.Length == 0 || fact[0] == ' ' || fact[^1] == ' ' || fact.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
            {
                _sequential = true;
                return;
            }
            var first = fact[0];
            if (first is > '\0' and < '\u0080')
            {
                var key = AsciiKey(first);
                _asciiFirst[i] = key;
                if (key < 64)
                {
                    _asciiMask0 |= 1UL << key;
                }
                else
                {
                    _asciiMask1 |= 1UL << (key - 64);
                }
            }
            else if (IsCaseless(first))
            {
                _caselessFirst[i] = first;
                _caselessMask |= 1UL << (first & 63);
            }
            else
            {
                anywhere.Add(i);
            }
        }
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
        var found = new List<long>(8);
        var span = text.AsSpan();
        for (var p = 0; p < span.Length; p++)
        {
            var c = span[p];
            if (c < 0x80)
            {
                var key = AsciiKey(c);
                if ((key < 64 ? (_asciiMask0 >> key) : (_asciiMask1 >> (key - 64))) % 2 != 0)
                {
                    var firsts = _asciiFirst.AsSpan();
                    var offset = 0;
                    int at;
                    while ((at = firsts[offset..].IndexOf(key)) >= 0)
                    {
                        Compare(span, p, offset + at, found);
                        offset += at + 1;
                    }
                }
                CompareAnywhere(span, p, found);
            }
            else if (IsCaseless(c))
            {
                if (((_caselessMask >> (c & 63)) & 1) != 0)
                {
                    var firsts = _caselessFirst.AsSpan();
                    var offset = 0;
                    int at;
                    while ((at = firsts[offset..].IndexOf(c)) >= 0)
                    {
                        Compare(span, p, offset + at, found);
                        offset += at + 1;
                    }
                }
                CompareAnywhere(span, p, found);
            }
            else
            {
                // A character outside both groups may equal anything ignoring case: compare every fact here.
                for (var i = 0; i < _facts.Length; i++)
                {
                    Compare(span, p, i, found);
                }
            }
        }
        if (found.Count == 0)
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

    private void CompareAnywhere(ReadOnlySpan<char> text, int position, List<long> found)
    {
        foreach (var i in _anywhere)
        {
            Compare(text, position, i, found);
        }
    }

    private void Compare(ReadOnlySpan<char> text, int position, int factIndex, List<long> found)
    {
        var fact = _facts[factIndex];
        if (position + fact.Length <= text.Length && text.Slice(position, fact.Length).Equals(fact, StringComparison.OrdinalIgnoreCase))
        {
            found.Add(((long)factIndex << 32) | (uint)position);
        }
    }

    // ASCII upper case: ASCII characters are equal ignoring case exactly when these are equal. (A fact starting with
    // NUL is compared everywhere, so key 0 never has its bit set.)
    private static char AsciiKey(char c) => c is >= 'a' and <= 'z' ? (char)(c - 32) : c;

    /// <summary>
    /// Characters with no case and that no character upper-cases to: general punctuation, CJK symbols, kana, CJK
    /// ideographs, Hangul syllables and the full-width punctuation (not the full-width letters, which have case).
    /// </summary>
    private static bool IsCaseless(char c) =>
        c is >= '\u2000' and <= '\u206F' or >= '\u3000' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7A3' or >= '\uF900' and <= '\uFAFF'
            or >= '\uFF00' and <= '\uFF20' or >= '\uFF3B' and <= '\uFF40' or >= '\uFF5B' and <= '\uFFEF';
}
