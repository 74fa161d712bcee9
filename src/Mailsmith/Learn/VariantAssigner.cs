using System.IO.Hashing;
using System.Text;
using Mailsmith.Storage;

namespace Mailsmith.Learn;

/// <summary>
/// Assigns each recipient a campaign variant by weight, reproducibly from the campaign seed and the customer id,
/// and reports the probability of that assignment (for inverse-propensity weighting later).
/// </summary>
public sealed class VariantAssigner
{
    private readonly IReadOnlyList<CampaignVariant> _variants;
    private readonly double _total;
    private readonly long _seed;

    public VariantAssigner(Campaign campaign)
    {
        _variants = campaign.Variants.Count > 0 ? campaign.Variants : [new CampaignVariant("A", 1)];
        _total = _variants.Sum(v => v.Weight);
        if (_total <= 0 || _variants.Any(v => v.Weight < 0))
        {
            throw new InvalidOperationException($"Campaign {campaign.CampaignId}: variant weights must be non-negative and not all zero.");
        }
        _seed = campaign.Seed;
    }

    /// <summary>The variant of <paramref name="customerId"/> and the probability with which it was assigned.</summary>
    public (string Variant, double Probability) Assign(string customerId)
    {
        var u = Uniform(_seed, customerId, "variant");
        var x = u * _total;
        foreach (var v in _variants)
        {
            if (x < v.Weight)
            {
                return (v.Name, v.Weight / _total);
            }
            x -= v.Weight;
        }
        var last = _variants[^1];
        return (last.Name, last.Weight / _total);
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
