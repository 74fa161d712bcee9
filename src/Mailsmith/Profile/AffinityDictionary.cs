using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Mailsmith.Profile;

/// <summary>
/// A small read-only map from category path (or brand) to an affinity 0–1, kept as one array of packed entries sorted
/// by key (ordinal): a million customers with a dozen affinities each would otherwise carry a million hash tables.
/// </summary>
/// <remarks>
/// Each entry is one <see cref="ulong"/>: the key's id in a process-wide table of key strings (high 32 bits) and the
/// value's single-precision bits (low 32 bits). One array per map instead of a key array and a value array, and 4
/// bytes per key instead of an 8-byte reference: about 120 bytes for a map of eight instead of about 180 (measured in
/// docs/benchmarks.md, "Profile memory"). The key table only grows with distinct keys, which are the catalog's
/// category paths and brands. A map whose values are all multiples of 10⁻⁴ in 0–1.6383 (the profile stage's, rounded to
/// 4 decimals) and whose key ids fit 18 bits is held as one <see cref="uint"/> per key instead (the value as that
/// multiple, read back to the same single-precision value). Immutable and thread-safe. Lookups are a binary search (ordinal) over a handful of keys.
/// </remarks>
public sealed class AffinityDictionary : IReadOnlyDictionary<string, double>
{
    // The compact form: key id in the high 18 bits, the value as k / 10⁴ (k ≤ 16,383) in the low 14 bits. The profile
    // stage rounds affinities to 4 decimals, so nearly every map it builds fits; a map with any other value (or a key
    // id past 2¹⁸) keeps the wide form. 4 bytes per key instead of 8 (docs/benchmarks.md, "Profile memory, continued").
    private const int ValueBits = 14;
    private const uint ValueMask = (1u << ValueBits) - 1;
    private const int MaxCompactKeyId = (1 << (32 - ValueBits)) - 1;

    // One field, a uint[] (compact) or a ulong[] (wide): a map object of 24 bytes instead of 32 with two, and two maps
    // per customer (docs/benchmarks.md, "Profile memory, 4 December").
    private readonly Array _entries;

    /// <summary>The empty map.</summary>
    public static AffinityDictionary Empty { get; } = new(Array.Empty<uint>());

    private AffinityDictionary(Array entries) => _entries = entries;

    /// <summary>A map of <paramref name="pairs"/> (keys distinct); values are stored in single precision.</summary>
    public static AffinityDictionary From(IEnumerable<KeyValuePair<string, double>> pairs)
    {
        var list = pairs.ToList();
        if (list.Count == 0)
        {
            return Empty;
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var ids = new int[list.Count];
        var compact = true;
        for (var i = 0; i < list.Count; i++)
        {
            ids[i] = KeyTable.IdOf(list[i].Key);
            compact &= ids[i] <= MaxCompactKeyId && CompactValue(list[i].Value) >= 0;
        }
        if (compact)
        {
            var entries = new uint[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                entries[i] = ((uint)ids[i] << ValueBits) | (uint)CompactValue(list[i].Value);
            }
            return new AffinityDictionary(entries);
        }
        var wide = new ulong[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            wide[i] = ((ulong)(uint)ids[i] << 32) | BitConverter.SingleToUInt32Bits((float)list[i].Value);
        }
        return new AffinityDictionary(wide);
    }

    /// <summary>k when <paramref name="value"/> in single precision is exactly what k / 10⁴ gives in single precision; −1 otherwise.</summary>
    private static int CompactValue(double value)
    {
        var k = Math.Round(value * 10_000);
        if (!(k >= 0 && k <= ValueMask))
        {
            return -1;
        }
        // Compared through the integer, as it is read back: −0 becomes +0 there, so it stays wide.
        var q = (int)k;
        return BitConverter.SingleToUInt32Bits((float)(q / 10_000.0)) == BitConverter.SingleToUInt32Bits((float)value) ? q : -1;
    }

    private string KeyAt(int i) => KeyTable.NameOf(_entries is uint[] c ? (int)(c[i] >> ValueBits) : (int)(((ulong[])_entries)[i] >> 32));

    private float ValueAt(int i) => _entries is uint[] c ? (float)((c[i] & ValueMask) / 10_000.0) : BitConverter.UInt32BitsToSingle((uint)((ulong[])_entries)[i]);

    public double this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => Enumerable.Range(0, Count).Select(KeyAt);

    public IEnumerable<double> Values => Enumerable.Range(0, Count).Select(i => (double)ValueAt(i));

    public int Count => _entries.Length;

    /// <summary>The strongest key (ties: ordinal first), or null when empty.</summary>
    public string? Strongest(Func<string, bool>? where = null)
    {
        string? best = null;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < Count; i++)
        {
            var value = ValueAt(i);
            if (value > bestValue && (where is null || where(KeyAt(i))))
            {
                best = KeyAt(i);
                bestValue = value;
            }
        }
        return best;
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? ValueAt(i) : 0;
        return i >= 0;
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int lo = 0, hi = Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = string.CompareOrdinal(KeyAt(mid), key);
            if (c == 0)
            {
                return mid;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return -1;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return new KeyValuePair<string, double>(KeyAt(i), ValueAt(i));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Process-wide ids of affinity keys: each distinct key string is held once, maps hold its id.</summary>
    private static class KeyTable
    {
        private static readonly ConcurrentDictionary<string, int> s_ids = new(StringComparer.Ordinal);
        private static readonly Lock s_lock = new();
        // Replaced (never written in place past Count) under the lock; readers only see ids already published.
        private static volatile string[] s_names = new string[256];
        private static int s_count;

        public static int IdOf(string key)
        {
            if (s_ids.TryGetValue(key, out var id))
            {
                return id;
            }
            lock (s_lock)
            {
                if (s_ids.TryGetValue(key, out id))
                {
                    return id;
                }
                var names = s_names;
                if (s_count == names.Length)
                {
                    Array.Resize(ref names, names.Length * 2);
                }
                id = s_count;
                names[id] = key;
                s_names = names;
                s_count = id + 1;
                // Published last: an id is visible only once its name is in s_names.
                s_ids[key] = id;
                return id;
            }
        }

        public static string NameOf(int id) => s_names[id];
    }
}
