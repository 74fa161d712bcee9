namespace Mailsmith.Learn;

/// <summary>
/// The mixture sequential probability ratio test (mSPRT) for a difference of two proportions, in its normal
/// approximation (Johari, Pekelis and Walsh 2017, "Always valid inference"): its p-value may be checked after
/// every batch and still bounds the false-positive rate, unlike a z-test looked at repeatedly.
/// </summary>
public static class SequentialTest
{
    /// <summary>
    /// The mixture likelihood ratio Λ = √(V / (V + τ²)) · exp(τ² d² / (2 V (V + τ²))), d the observed difference,
    /// V its variance; rejecting "no difference" when Λ ≥ 1/α keeps the error at α under continuous monitoring.
    /// </summary>
    /// <param name="tau">Standard deviation of the N(0, τ²) mixture over effects: the size of difference the test is most sensitive to.</param>
    public static double LikelihoodRatio(ArmCounts a, ArmCounts b, double tau)
    {
        if (a.Trials == 0 || b.Trials == 0 || tau <= 0)
        {
            return 0;
        }
        var (pa, pb) = (a.Rate, b.Rate);
        // A rate of 0 or 1 has variance 0; the pooled rate keeps V positive until both arms have seen both outcomes.
        var pooled = (double)(a.Successes + b.Successes) / (a.Trials + b.Trials);
        var va = Math.Max(pa * (1 - pa), pooled * (1 - pooled) / 2) / a.Trials;
        var vb = Math.Max(pb * (1 - pb), pooled * (1 - pooled) / 2) / b.Trials;
        var v = va + vb;
        if (v <= 0)
        {
            return 0;
        }
        var t2 = tau * tau;
        var d = pa - pb;
        return Math.Sqrt(v / (v + t2)) * Math.Exp(t2 * d * d / (2 * v * (v + t2)));
    }

    /// <summary>The always-valid p-value after one look: min(1, 1/Λ). Take the running minimum over looks.</summary>
    public static double PValue(ArmCounts a, ArmCounts b, double tau) => Math.Min(1, 1 / LikelihoodRatio(a, b, tau));

    /// <summary>
    /// True when arm <paramref name="champion"/> is better than every other arm by the mSPRT at family-wise level
    /// <paramref name="alpha"/> (Bonferroni over the k − 1 comparisons).
    /// </summary>
    public static bool ChampionBeatsAll(IReadOnlyList<ArmCounts> arms, int champion, double alpha, double tau)
    {
        var level = alpha / Math.Max(1, arms.Count - 1);
        for (var a = 0; a < arms.Count; a++)
        {
            if (a != champion && (arms[champion].Rate <= arms[a].Rate || LikelihoodRatio(arms[champion], arms[a], tau) < 1 / level))
            {
                return false;
            }
        }
        return true;
    }
}
