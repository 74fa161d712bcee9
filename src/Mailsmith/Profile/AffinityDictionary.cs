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
/// category paths and brands. Immutable and thread-safe. Lookups are a binary search (ordinal) over a handful of keys.
/// </remarks>
public sealed class AffinityDictionary : IReadOnlyDictionary<string, double>
{
    private readonly ulong[] _entries;

    /// <summary>The empty map.</summary>
    public static AffinityDictionary Empty { get; } = new([]);

    private AffinityDictionary(ulong[] entries) => _entries = entries;

    /// <summary>A map of <paramref name="pairs"/> (keys distinct); values are stored in single precision.</summary>
    public static AffinityDictionary From(IEnumerable<KeyValuePair<string, double>> pairs)
    {
        var list = pairs.ToList();
        if (list.Count == 0)
        {
            return Empty;
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var entries = new ulong[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            entries[i] = ((ulong)(uint)KeyTable.IdOf(list[i].Key) << 32) | BitConverter.SingleToUInt32Bits((float)list[i].Value);
        }
        return new AffinityDictionary(entries);
    }

    private static string KeyAt(ulong entry) => KeyTable.NameOf((int)(entry >> 32));

    private static float ValueAt(ulong entry) => BitConverter.UInt32BitsToSingle((uint)entry);

    public double this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => _entries.Select(KeyAt);

    public IEnumerable<double> Values => _entries.Select(e => (double)ValueAt(e));

    public int Count => _entries.Length;

    /// <summary>The strongest key (ties: ordinal first), or null when empty.</summary>
    public string? Strongest(Func<string, bool>? where = null)
    {
        string? best = null;
        var bestValue = float.NegativeInfinity;
        foreach (var entry in _entries)
        {
            var value = ValueAt(entry);
            if (value > bestValue && (where is null || where(KeyAt(entry))))
            {
                best = KeyAt(entry);
                bestValue = value;
            }
        }
        return best;
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? ValueAt(_entries[i]) : 0;
        return i >= 0;
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = string.CompareOrdinal(KeyAt(_entries[mid]), key);
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
        foreach (var entry in _entries)
        {
            yield return new KeyValuePair<string, double>(KeyAt(entry), ValueAt(entry));
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
