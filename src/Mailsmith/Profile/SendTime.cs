namespace Mailsmith.Profile;

/// <summary>
/// A customer's weighted activity per hour of the week (0–167, Monday 00:00 = 0, in their own time zone), sparse:
/// only the hours with activity, in increasing order, single precision.
/// </summary>
/// <param name="Hours">Hours of the week with activity, ascending.</param>
/// <param name="Weights">The weighted count of each hour in <paramref name="Hours"/>.</param>
public sealed record SendTimeHistogram(byte[] Hours, float[] Weights)
{
    /// <summary>The sum of the weights (the evidence n in the Dirichlet update).</summary>
    public double Total => Weights.Sum(w => (double)w);

    /// <summary>Hours of the week: 7 × 24.</summary>
    public const int HoursOfWeek = 168;

    /// <summary>The histogram as 5 bytes per hour (hour, float32 little-endian), for storage.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Hours.Length * 5];
        for (var i = 0; i < Hours.Length; i++)
        {
            bytes[i * 5] = Hours[i];
            BitConverter.TryWriteBytes(bytes.AsSpan((i * 5) + 1, 4), Weights[i]);
        }
        return bytes;
    }

    /// <summary>Reads <see cref="ToBytes"/>.</summary>
    /// <exception cref="FormatException">The length is not a multiple of 5 or an hour is out of range.</exception>
    public static SendTimeHistogram FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 5 != 0)
        {
            throw new FormatException($"a send-time histogram has 5 bytes per hour, not {bytes.Length}");
        }
        var n = bytes.Length / 5;
        var hours = new byte[n];
        var weights = new float[n];
        for (var i = 0; i < n; i++)
        {
            hours[i] = bytes[i * 5];
            if (hours[i] >= HoursOfWeek)
            {
                throw new FormatException($"hour of week {hours[i]} is out of range 0–167");
            }
            weights[i] = BitConverter.ToSingle(bytes.Slice((i * 5) + 1, 4));
        }
        return new SendTimeHistogram(hours, weights);
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
            for (var i = 0; i < histogram.Hours.Length; i++)
            {
                theta[histogram.Hours[i]] += histogram.Weights[i] / denominator;
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
