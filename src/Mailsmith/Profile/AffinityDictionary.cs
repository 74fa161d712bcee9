using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mailsmith.Profile;

/// <summary>
/// A small read-only map from category path (or brand) to an affinity 0–1, kept as two parallel arrays sorted by key:
/// a million customers with a dozen affinities each would otherwise carry a million hash tables.
/// </summary>
/// <remarks>Immutable and thread-safe. Lookups are a binary search (ordinal) over a handful of keys.</remarks>
public sealed class AffinityDictionary : IReadOnlyDictionary<string, double>
{
    private readonly string[] _keys;
    private readonly float[] _values;

    /// <summary>The empty map.</summary>
    public static AffinityDictionary Empty { get; } = new([], []);

    private AffinityDictionary(string[] keys, float[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>A map of <paramref name="pairs"/> (keys distinct); values are stored in single precision.</summary>
    public static AffinityDictionary From(IEnumerable<KeyValuePair<string, double>> pairs)
    {
        var list = pairs.ToList();
        if (list.Count == 0)
        {
            return Empty;
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var keys = new string[list.Count];
        var values = new float[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            keys[i] = list[i].Key;
            values[i] = (float)list[i].Value;
        }
        return new AffinityDictionary(keys, values);
    }

    public double this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<double> Values => _values.Select(v => (double)v);

    public int Count => _keys.Length;

    /// <summary>The strongest key (ties: ordinal first), or null when empty.</summary>
    public string? Strongest(Func<string, bool>? where = null)
    {
        string? best = null;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_values[i] > bestValue && (where is null || where(_keys[i])))
            {
                best = _keys[i];
                bestValue = _values[i];
            }
        }
        return best;
    }

    public bool ContainsKey(string key) => Array.BinarySearch(_keys, key, StringComparer.Ordinal) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        var i = Array.BinarySearch(_keys, key, StringComparer.Ordinal);
        value = i >= 0 ? _values[i] : 0;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new KeyValuePair<string, double>(_keys[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
