using System.Buffers.Binary;

namespace Mailsmith.Profile;

/// <summary>
/// A customer's weighted activity per hour of the week (0–167, Monday 00:00 = 0, in their own time zone), sparse:
/// only the hours with activity, in increasing order, single precision.
/// </summary>
/// <remarks>
/// Held as one array of 5 bytes per hour (the hour, then the weight as a little-endian float32: the storage format of
/// <see cref="ToBytes"/>) instead of an hour array and a weight array: a million customers carry one array header
/// each instead of two (docs/benchmarks.md, "Profile memory, continued"). Immutable.
/// </remarks>
public sealed class SendTimeHistogram
{
    private const int EntryBytes = 5;

    private readonly byte[] _entries;

    /// <param name="hours">Hours of the week with activity, ascending.</param>
    /// <param name="weights">The weighted count of each hour in <paramref name="hours"/>.</param>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public SendTimeHistogram(byte[] hours, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(hours);
        ArgumentNullException.ThrowIfNull(weights);
        if (hours.Length != weights.Length)
        {
            throw new ArgumentException($"{hours.Length} hours but {weights.Length} weights", nameof(weights));
        }
        _entries = new byte[hours.Length * EntryBytes];
        for (var i = 0; i < hours.Length; i++)
        {
            _entries[i * EntryBytes] = hours[i];
            BinaryPrimitives.WriteSingleLittleEndian(_entries.AsSpan((i * EntryBytes) + 1, 4), weights[i]);
        }
    }

    private SendTimeHistogram(byte[] entries) => _entries = entries;

    /// <summary>Number of hours with activity.</summary>
    public int Count => _entries.Length / EntryBytes;

    /// <summary>The <paramref name="i"/>-th hour with activity (ascending).</summary>
    public int HourAt(int i) => _entries[i * EntryBytes];

    /// <summary>The weighted count of <see cref="HourAt"/>(<paramref name="i"/>).</summary>
    public float WeightAt(int i) => BinaryPrimitives.ReadSingleLittleEndian(_entries.AsSpan((i * EntryBytes) + 1, 4));

    /// <summary>Hours of the week with activity, ascending (a new array).</summary>
    public byte[] Hours
    {
        get
        {
            var hours = new byte[Count];
            for (var i = 0; i < hours.Length; i++)
            {
                hours[i] = _entries[i * EntryBytes];
            }
            return hours;
        }
    }

    /// <summary>The weighted count of each hour in <see cref="Hours"/> (a new array).</summary>
    public float[] Weights
    {
        get
        {
            var weights = new float[Count];
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = WeightAt(i);
            }
            return weights;
        }
    }

    /// <summary>The sum of the weights (the evidence n in the Dirichlet update).</summary>
    public double Total
    {
        get
        {
            var total = 0.0;
            for (var i = 0; i < Count; i++)
            {
                total += WeightAt(i);
            }
            return total;
        }
    }

    /// <summary>Hours of the week: 7 × 24.</summary>
    public const int HoursOfWeek = 168;

    /// <summary>The histogram as 5 bytes per hour (hour, float32 little-endian), for storage, without a copy.</summary>
    public ReadOnlySpan<byte> AsBytes() => _entries;

    /// <summary>The histogram as 5 bytes per hour (hour, float32 little-endian), for storage.</summary>
    public byte[] ToBytes() => (byte[])_entries.Clone();

    /// <summary>Reads <see cref="ToBytes"/>.</summary>
    /// <exception cref="FormatException">The length is not a multiple of 5 or an hour is out of range.</exception>
    public static SendTimeHistogram FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % EntryBytes != 0)
        {
            throw new FormatException($"a send-time histogram has 5 bytes per hour, not {bytes.Length}");
        }
        for (var i = 0; i < bytes.Length; i += EntryBytes)
        {
            if (bytes[i] >= HoursOfWeek)
            {
                throw new FormatException($"hour of week {bytes[i]} is out of range 0–167");
            }
        }
        return new SendTimeHistogram(bytes.ToArray());
    }
}

/// <summary>
/// The send-time model: a customer's hour-of-week distribution is the posterior mean of a Dirichlet whose prior is the
/// population's distribution π with strength κ: θ_h = (n_h + κ·π_h) / (n + κ). docs/profiles.md, "Send time".
/// </summary>
public static class SendTime
{
    /// <summary>The posterior mean θ over the 168 hours for one customer.</summary>
    public static double[] Posterior(SendTimeHistogram? histogram, IReadOnlyList<double> prior, double strength)
    {
        var theta = new double[SendTimeHistogram.HoursOfWeek];
        var n = histogram?.Total ?? 0;
        var denominator = n + strength;
        for (var h = 0; h < theta.Length; h++)
        {
            theta[h] = strength * prior[h] / denominator;
        }
        if (histogram is not null)
        {
            for (var i = 0; i < histogram.Count; i++)
            {
                theta[histogram.HourAt(i)] += histogram.WeightAt(i) / denominator;
            }
        }
        return theta;
    }

    /// <summary>
    /// The best hour (argmax of θ; ties to the earliest hour) and its confidence
    /// (θ_best − π_best) / (1 − π_best), clipped to 0–1: how far the customer's own data moved that hour from the prior
    /// toward certainty (0 without data, 1 when every observation fell in that hour and they dwarf κ).
    /// </summary>
    public static (int Hour, double Confidence) Best(SendTimeHistogram? histogram, IReadOnlyList<double> prior, double strength)
    {
        var theta = Posterior(histogram, prior, strength);
        var best = 0;
        for (var h = 1; h < theta.Length; h++)
        {
            if (theta[h] > theta[best])
            {
                best = h;
            }
        }
        var p = prior[best];
        var confidence = p >= 1 ? 0 : Math.Clamp((theta[best] - p) / (1 - p), 0, 1);
        return (best, confidence);
    }
}
