using System.IO.Hashing;
using System.Text;
using Mailsmith.Storage;

namespace Mailsmith.Learn;

/// <summary>
/// Assigns each recipient a campaign variant by weight, reproducibly from the campaign seed and the customer id,
/// and reports the probability of that assignment (for inverse-propensity weighting later).
/// </summary>
/// <remarks>
/// A variant named <see cref="Holdout"/> is the campaign's randomized control group: its weight's share of the total
/// is the holdout share, drawn first and on its own (purpose <c>holdout</c>), so reserving a holdout never changes
/// which of the other variants a recipient gets. A held-out recipient is recorded as a send in state
/// <c>suppressed</c> with reason <c>holdout</c> and receives nothing (docs/learn.md "Holdout groups"); the uplift
/// models learn from those rows.
/// </remarks>
public sealed class VariantAssigner
{
    /// <summary>The reserved variant name of a campaign's control group, which receives nothing.</summary>
    public const string Holdout = "holdout";

    /// <summary>The reason recorded on a held-out recipient's send.</summary>
    public const string HoldoutReason = "holdout";

    private readonly IReadOnlyList<CampaignVariant> _variants;
    private readonly double _total;
    private readonly long _seed;

    public VariantAssigner(Campaign campaign)
    {
        var all = campaign.Variants.Count > 0 ? campaign.Variants : [new CampaignVariant("A", 1)];
        if (all.Sum(v => v.Weight) <= 0 || all.Any(v => v.Weight < 0))
        {
            throw new InvalidOperationException($"Campaign {campaign.CampaignId}: variant weights must be non-negative and not all zero.");
        }
        var holdout = all.Where(IsHoldout).Sum(v => v.Weight);
        _variants = [.. all.Where(v => !IsHoldout(v))];
        _total = _variants.Sum(v => v.Weight);
        if (_total <= 0)
        {
            throw new InvalidOperationException($"Campaign {campaign.CampaignId}: besides the holdout, a variant with a positive weight is needed.");
        }
        HoldoutShare = holdout / (holdout + _total);
        _seed = campaign.Seed;
    }

    /// <summary>The share of the audience held out (0 when the campaign has no <see cref="Holdout"/> variant).</summary>
    public double HoldoutShare { get; }

    /// <summary>Whether <paramref name="variant"/> is the holdout group.</summary>
    public static bool IsHoldout(CampaignVariant variant) => IsHoldout(variant.Name);

    /// <summary>Whether a variant name is the holdout group's.</summary>
    public static bool IsHoldout(string variant) => string.Equals(variant, Holdout, StringComparison.OrdinalIgnoreCase);

    /// <summary>The variant of <paramref name="customerId"/> (possibly <see cref="Holdout"/>) and the probability with which it was assigned.</summary>
    public (string Variant, double Probability) Assign(string customerId)
    {
        if (HoldoutShare > 0 && Uniform(_seed, customerId, "holdout") < HoldoutShare)
        {
            return (Holdout, HoldoutShare);
        }
        var treated = 1 - HoldoutShare;
        var u = Uniform(_seed, customerId, "variant");
        var x = u * _total;
        foreach (var v in _variants)
        {
            if (x < v.Weight)
            {
                return (v.Name, treated * v.Weight / _total);
            }
            x -= v.Weight;
        }
        var last = _variants[^1];
        return (last.Name, treated * last.Weight / _total);
    }

    /// <summary>
    /// <paramref name="variants"/> with a holdout of <paramref name="share"/> of the audience added (replacing any
    /// holdout already there); the other variants keep their relative weights.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="share"/> is not in [0, 1).</exception>
    public static IReadOnlyList<CampaignVariant> WithHoldout(IReadOnlyList<CampaignVariant> variants, double share)
    {
        if (share is < 0 or >= 1 || double.IsNaN(share))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "the holdout share must be at least 0 and below 1");
        }
        var treated = variants.Where(v => !IsHoldout(v)).ToList();
        if (share == 0)
        {
            return treated;
        }
        var total = treated.Sum(v => v.Weight);
        return [.. treated, new CampaignVariant(Holdout, total * share / (1 - share))];
    }

    /// <summary>A stable 32-bit seed for (campaign seed, customer, purpose): the same inputs always give the same draws.</summary>
    public static int Seed(long campaignSeed, string customerId, string purpose) =>
        (int)(Hash(campaignSeed, customerId, purpose) & 0x7fffffff);

    /// <summary>A stable uniform draw in [0, 1).</summary>
    public static double Uniform(long campaignSeed, string customerId, string purpose) =>
        (Hash(campaignSeed, customerId, purpose) >> 11) * (1.0 / (1UL << 53));

    private static ulong Hash(long campaignSeed, string customerId, string purpose) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{purpose}\u001f{customerId}"), campaignSeed);
}
