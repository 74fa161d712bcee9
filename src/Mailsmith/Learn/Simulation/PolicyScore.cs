using System.Text.Json.Serialization;

namespace Mailsmith.Learn.Simulation;

/// <summary>How one policy did over many experiments (simulated runs or replayed tests).</summary>
/// <param name="Regret">Mean clicks lost per experiment against always sending the truly best arm (expected, not sampled, clicks).</param>
/// <param name="BestArmShare">Share of experiments whose final pick is the truly best arm.</param>
/// <param name="WinnerRate">Share of experiments in which the policy's own rule declared a winner.</param>
public sealed record PolicyScore(
    [property: JsonPropertyName("regret")] double Regret,
    [property: JsonPropertyName("best_arm_share")] double BestArmShare,
    [property: JsonPropertyName("winner_rate")] double WinnerRate);

/// <summary>Per-experiment outcome of one policy, accumulated into a <see cref="PolicyScore"/>.</summary>
internal sealed class ScoreAccumulator
{
    private readonly Lock _gate = new();
    private double _regret;
    private double _best;
    private double _declared;
    private int _n;

    public void Add(double regret, bool pickedBest, bool declared) => Add(regret, pickedBest ? 1.0 : 0, declared ? 1.0 : 0);

    /// <summary>Adds one experiment; <paramref name="pickedBest"/> and <paramref name="declared"/> may be shares of its repeats.</summary>
    public void Add(double regret, double pickedBest, double declared)
    {
        lock (_gate)
        {
            _regret += regret;
            _best += pickedBest;
            _declared += declared;
            _n++;
        }
    }

    public PolicyScore Score() => _n == 0 ? new PolicyScore(0, 0, 0) : new PolicyScore(_regret / _n, _best / _n, _declared / _n);
}

/// <summary>The policies the simulator and the replay compare, by key.</summary>
public static class Policies
{
    public const string Thompson = "thompson";
    public const string AbTest = "ab";
    public const string Uniform = "uniform";

    public static IReadOnlyList<string> All { get; } = [Thompson, AbTest, Uniform];

    /// <summary>Parses <c>thompson,ab,uniform</c>.</summary>
    /// <exception cref="ArgumentException">An unknown key.</exception>
    public static IReadOnlyList<string> Parse(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return All;
        }
        var keys = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var key in keys)
        {
            if (!All.Contains(key))
            {
                throw new ArgumentException($"--policies: unknown policy '{key}' (known: {string.Join(", ", All)})");
            }
        }
        return keys.Distinct().ToList();
    }

    /// <summary>A fresh policy instance for one experiment.</summary>
    public static IAllocationPolicy Create(string key, LearnOptions options, Random random, double? baselineRate = null) => key switch
    {
        Thompson => new ThompsonPolicy(options, random),
        AbTest => new AbTestPolicy(options, baselineRate),
        Uniform => new UniformPolicy(options.Alpha),
        _ => throw new ArgumentException($"unknown policy '{key}'"),
    };
}
