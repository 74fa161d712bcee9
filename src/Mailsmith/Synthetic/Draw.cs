namespace Mailsmith.Synthetic;

/// <summary>Random draws shared by the generator's parts. Every stream is a <see cref="Random"/> seeded from the options' seed.</summary>
internal static class Draw
{
    /// <summary>
    /// A seed for an independent stream (catalog, customer i, …). SplitMix64 so that neighbouring indexes give unrelated
    /// streams; <c>new Random(int)</c> is the seeded legacy algorithm, stable across .NET versions.
    /// </summary>
    public static int StreamSeed(int seed, int stream, int index)
    {
        var x = ((ulong)(uint)seed << 32) ^ ((ulong)(uint)stream << 24) ^ (uint)index;
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }

    public static bool Chance(this Random rng, double p) => rng.NextDouble() < p;

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    public static double Uniform(this Random rng, double min, double max) => min + ((max - min) * rng.NextDouble());

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(this Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>An exponential draw with the given mean.</summary>
    public static double Exponential(this Random rng, double mean) => -mean * Math.Log(1.0 - rng.NextDouble());

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>[0..count).</summary>
    public static int Weighted(this Random rng, ReadOnlySpan<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }
        var x = rng.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }

    public static double Round3(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);
}
