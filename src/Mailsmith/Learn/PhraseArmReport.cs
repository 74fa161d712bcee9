using Mailsmith.Compose;
using Mailsmith.Storage;

namespace Mailsmith.Learn;

/// <summary>One variant of one phrase slot as its arm stands for the next campaign of a type.</summary>
/// <param name="Trials">Delivered messages of the type whose slot drew this variant.</param>
/// <param name="Clicks">How many of them a person clicked.</param>
/// <param name="PosteriorMean">(1 + clicks) / (2 + trials): the mean of the Beta(1, 1) posterior click rate.</param>
/// <param name="DrawShare">The variant's share of the draws for a recipient every variant fits: file weight × the arm's multiplier, normalised over the slot.</param>
/// <param name="IpwClickRate">Hájek inverse-propensity click rate (Σ clicked / p ÷ Σ 1 / p over the messages that got it with a recorded probability p); null without such messages.</param>
public sealed record PhraseArmStats(string Slot, string VariantId, long Trials, long Clicks, double PosteriorMean, double DrawShare, double? IpwClickRate);

/// <summary>Per-slot arm statistics of a campaign type (<c>mailsmith learn phrases</c>, docs/learn.md "Phrase slots as arms").</summary>
public static class PhraseArmReport
{
    /// <summary>
    /// The arms a campaign of <paramref name="campaignType"/> created at <paramref name="asOf"/> would draw with, for the
    /// slots and variants of <paramref name="slots"/> (one locale's phrase files, <see cref="EmailComposer.SlotVariants"/>).
    /// Shares are estimated with seed 0; a campaign's own seed moves P(best) by the Monte Carlo error of <see cref="LearnOptions.PosteriorDraws"/>.
    /// </summary>
    public static IReadOnlyList<PhraseArmStats> For(
        MailsmithStore store, string campaignType, IReadOnlyList<PhraseSlotVariants> slots, LearnOptions options, DateTimeOffset asOf)
    {
        var arms = PhraseSlotArms.LoadPrior(store, campaignType, null, asOf, 0, options);
        var ipw = LoadIpw(store, campaignType, asOf);
        var rows = new List<PhraseArmStats>();
        foreach (var slot in slots)
        {
            var multipliers = arms.Weights(slot.Slot, slot.VariantIds);
            var total = 0.0;
            for (var i = 0; i < slot.VariantIds.Count; i++)
            {
                total += slot.FileWeights[i] * multipliers[i];
            }
            for (var i = 0; i < slot.VariantIds.Count; i++)
            {
                var id = slot.VariantIds[i];
                var (trials, clicks) = arms.Counts.TryGetValue((slot.Slot, id), out var c) ? c : (0, 0);
                double? rate = ipw.TryGetValue((slot.Slot, id), out var w) && w.Weight > 0 ? w.Clicked / w.Weight : null;
                rows.Add(new PhraseArmStats(slot.Slot, id, trials, clicks, (1.0 + clicks) / (2.0 + trials),
                    total > 0 ? slot.FileWeights[i] * multipliers[i] / total : 0, rate));
            }
        }
        return rows;
    }

    private static Dictionary<(string Slot, string Variant), (double Weight, double Clicked)> LoadIpw(MailsmithStore store, string campaignType, DateTimeOffset before)
    {
        var sums = new Dictionary<(string, string), (double, double)>();
        using var connection = store.OpenConnection();
        using var select = store.Command(connection, "learn-phrase-ipw");
        select.Parameters.AddWithValue("$campaign_type", campaignType);
        select.Parameters.AddWithValue("$before", DbValues.ToDb(before));
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            sums[(reader.GetString(0), reader.GetString(1))] = (reader.GetDouble(2), reader.GetDouble(3));
        }
        return sums;
    }
}
