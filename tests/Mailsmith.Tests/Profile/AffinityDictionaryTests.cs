using Mailsmith.Profile;

namespace Mailsmith.Tests.Profile;

public sealed class AffinityDictionaryTests
{
    private static AffinityDictionary Map(params (string Key, double Value)[] pairs) =>
        AffinityDictionary.From(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    [Fact]
    public void From_UnsortedPairs_EnumeratesInOrdinalKeyOrderWithSinglePrecisionValues()
    {
        var map = Map(("Shoes > Running", 0.25), ("Beauty", 0.6), ("Shoes", 0.3333), ("beauty", 0.1));

        Assert.Equal(["Beauty", "Shoes", "Shoes > Running", "beauty"], map.Keys);
        Assert.Equal([(double)0.6f, (double)0.3333f, (double)0.25f, (double)0.1f], map.Values);
        Assert.Equal(4, map.Count);
        Assert.Equal(map.Keys, map.Select(kv => kv.Key));
        Assert.Equal(map.Values, map.Select(kv => kv.Value));
    }

    [Fact]
    public void TryGetValue_EveryKeyAndMissingOnes_FindsExactlyTheStoredKeys()
    {
        var pairs = Enumerable.Range(0, 37).Select(i => ($"Dept {i % 5} > Group {i:00}", i / 100.0)).ToArray();
        var map = Map(pairs);

        foreach (var (key, value) in pairs)
        {
            Assert.True(map.TryGetValue(key, out var got), key);
            Assert.Equal((double)(float)value, got);
            Assert.True(map.ContainsKey(key));
            Assert.Equal((double)(float)value, map[key]);
        }
        foreach (var missing in (string[])["", "Dept 0", "Dept 9 > Group 00", "dept 0 > group 00", "Dept 4 > Group 36 "])
        {
            Assert.False(map.TryGetValue(missing, out var v), missing);
            Assert.Equal(0, v);
            Assert.False(map.ContainsKey(missing));
            Assert.Throws<KeyNotFoundException>(() => map[missing]);
        }
    }

    [Fact]
    public void From_TwoMapsSharingKeys_KeepTheirOwnValues()
    {
        // Keys are shared between maps through one table of names; each map's values must stay its own.
        var a = Map(("Home", 0.9), ("Garden", 0.1));
        var b = Map(("Garden", 0.7), ("Home", 0.3), ("Toys", 0.5));

        Assert.Equal((double)0.9f, a["Home"]);
        Assert.Equal((double)0.1f, a["Garden"]);
        Assert.False(a.ContainsKey("Toys"));
        Assert.Equal((double)0.3f, b["Home"]);
        Assert.Equal((double)0.7f, b["Garden"]);
        Assert.Equal((double)0.5f, b["Toys"]);
    }

    [Fact]
    public void From_ManyKeysFromManyThreads_EveryMapReadsBackItsOwnPairs()
    {
        // Grows the shared key table past its first size from several threads at once.
        var maps = new AffinityDictionary[2000];
        Parallel.For(0, maps.Length, i => maps[i] = Map(($"k{i}", i), ($"k{i + 1}", -i), ("shared", 0.5)));

        for (var i = 0; i < maps.Length; i++)
        {
            Assert.Equal(i, maps[i][$"k{i}"]);
            Assert.Equal(-i, maps[i][$"k{i + 1}"]);
            Assert.Equal(0.5, maps[i]["shared"]);
            Assert.Equal(3, maps[i].Count);
        }
    }

    [Fact]
    public void Strongest_WithAndWithoutFilter_PicksTheLargestValueAndTheOrdinalFirstOnTies()
    {
        var map = Map(("b", 0.5), ("a", 0.5), ("c > d", 0.9), ("c", 0.2));

        Assert.Equal("c > d", map.Strongest());
        Assert.Equal("a", map.Strongest(k => !k.Contains('>', StringComparison.Ordinal)));
        Assert.Null(map.Strongest(_ => false));
        Assert.Null(AffinityDictionary.Empty.Strongest());
        Assert.Same(AffinityDictionary.Empty, Map());
    }

    [Fact]
    public void From_NegativeZeroAndTinyValues_RoundTripTheirSinglePrecisionBits()
    {
        var map = Map(("x", -0.0), ("y", 1e-40), ("z", 1.0));

        Assert.True(double.IsNegative(map["x"]));
        Assert.Equal((double)(float)1e-40, map["y"]);
        Assert.Equal(1.0, map["z"]);
    }

    [Fact]
    public void From_FourDecimalValuesAndOthers_ReadBackTheSameSinglePrecisionValues()
    {
        // Rounded to 4 decimals (the compact form) and not (the wide form), alone and mixed in one map.
        double[] values = [0, 0.0001, 0.1234, 0.5, 0.9999, 1, 1.6383, 1.6384, 0.12345, 1.0 / 3, 2.5];
        foreach (var v in values)
        {
            var single = AffinityDictionary.From([KeyValuePair.Create("a", v)]);
            Assert.Equal(BitConverter.SingleToUInt32Bits((float)v), BitConverter.SingleToUInt32Bits((float)single["a"]));
        }
        var mixed = AffinityDictionary.From(values.Select((v, i) => KeyValuePair.Create($"k{i:00}", v)));
        Assert.Equal(values.Select(v => (double)(float)v), mixed.Values);
        var rounded = AffinityDictionary.From(values.Take(7).Select((v, i) => KeyValuePair.Create($"r{i}", v)));
        Assert.Equal(values.Take(7).Select(v => (double)(float)v), rounded.Values);
        Assert.Equal("r6", rounded.Strongest());
    }
}
