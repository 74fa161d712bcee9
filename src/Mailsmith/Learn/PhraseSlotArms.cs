using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Mailsmith.Storage;

namespace Mailsmith.Learn;

/// <summary>
/// Weights for the variants of one Compose phrase slot (subject, preheader, opening, …): the seam through which the
/// built-in writer's seeded draw learns its wording. The writer multiplies each fitting variant's own weight by the
/// weight returned here and draws as before; the probability of the draw (that product over the sum of the fitting
/// variants') is what it records per send (<see cref="PhraseSlotArms.RecordChoices"/>).
/// </summary>
/// <remarks>Implementations are immutable for a compose run and thread-safe (the writer runs on every core).</remarks>
public interface ISlotWeights
{
    /// <summary>One non-negative weight per entry of <paramref name="variantIds"/> (the slot's variants in file order).</summary>
    IReadOnlyList<double> Weights(string slot, IReadOnlyList<string> variantIds);
}

/// <summary>One phrase slot's choice in one send, as the writer records it.</summary>
/// <param name="Probability">The probability the seeded draw picked it with; null when unknown.</param>
public readonly record struct PhraseChoiceRecord(long SendId, string Slot, string VariantId, double? Probability);

/// <summary>
/// Thompson sampling per phrase slot: each slot's variants are arms, counted from delivered messages that recorded
/// their choices (<c>phrase_choices</c>) and whether a person responded (human click or conversion): the campaign's own
/// (<see cref="Load"/>), or every earlier campaign of its type (<see cref="LoadPrior(MailsmithStore, Campaign, LearnOptions, string)"/>, what the send path uses).
/// The weight of a variant is its posterior probability of being the slot's best, mixed with the exploration floor;
/// a variant never sent yet counts as an arm with no data (the prior), so new wording gets tried.
/// </summary>
/// <remarks>Per slot, not per whole subject line: a subject assembled from several slots learns each slot separately.
/// Weights are computed once per slot and variant set for the run (reproducible from the campaign seed).</remarks>
public sealed class PhraseSlotArms : ISlotWeights
{
    private readonly long _seed;
    private readonly LearnOptions _options;
    private readonly IReadOnlyDictionary<(string Slot, string Variant), (long Trials, long Successes)> _counts;
    // Per variant-id list (the writer passes the same array for a slot every time) and slot name: no key built per call.
    private readonly ConditionalWeakTable<IReadOnlyList<string>, ConcurrentDictionary<string, double[]>> _cache = [];

    private PhraseSlotArms(long seed, LearnOptions options, IReadOnlyDictionary<(string, string), (long, long)> counts)
    {
        _seed = seed;
        _options = options;
        _counts = counts;
    }

    /// <summary>Slots and variants with data: (slot, variant) → (delivered, responded).</summary>
    public IReadOnlyDictionary<(string Slot, string Variant), (long Trials, long Successes)> Counts => _counts;

    /// <summary>Reads the counts of <paramref name="campaign"/>'s delivered messages for <paramref name="metric"/> (<c>click</c> or <c>conversion</c>).</summary>
    public static PhraseSlotArms Load(MailsmithStore store, Campaign campaign, LearnOptions options, string metric = "click")
    {
        var counts = new Dictionary<(string, string), (long, long)>();
        using var connection = store.OpenConnection();
        using var select = store.Command(connection, "learn-phrase-outcomes");
        select.Parameters.AddWithValue("$campaign_id", campaign.CampaignId);
        select.Parameters.AddWithValue("$type", metric);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            counts[(reader.GetString(0), reader.GetString(1))] = (reader.GetInt64(2), reader.GetInt64(3));
        }
        return new PhraseSlotArms(campaign.Seed, options, counts);
    }

    /// <summary>
    /// The arms a new run of <paramref name="campaign"/> draws with: counts from every earlier campaign of its type,
    /// sends and responses before <paramref name="campaign"/> was created (query <c>learn-phrase-outcomes-before</c>).
    /// Fixed for the campaign's lifetime, so a message re-rendered for a retry gets the same words.
    /// </summary>
    public static PhraseSlotArms LoadPrior(MailsmithStore store, Campaign campaign, LearnOptions options, string metric = "click") =>
        LoadPrior(store, campaign.Type, campaign.CampaignId, campaign.CreatedAt, campaign.Seed, options, metric);

    /// <summary>
    /// The arms of campaign type <paramref name="campaignType"/> from every campaign but <paramref name="excludedCampaignId"/>
    /// (null: none left out), counting sends and responses before <paramref name="before"/>; P(best) is drawn with <paramref name="seed"/>.
    /// </summary>
    public static PhraseSlotArms LoadPrior(
        MailsmithStore store, string campaignType, string? excludedCampaignId, DateTimeOffset before, long seed, LearnOptions options, string metric = "click")
    {
        var counts = new Dictionary<(string, string), (long, long)>();
        using var connection = store.OpenConnection();
        using var select = store.Command(connection, "learn-phrase-outcomes-before");
        // Campaign ids are never empty, so "" leaves no campaign out.
        select.Parameters.AddWithValue("$campaign_id", excludedCampaignId ?? "");
        select.Parameters.AddWithValue("$campaign_type", campaignType);
        select.Parameters.AddWithValue("$before", DbValues.ToDb(before));
        select.Parameters.AddWithValue("$type", metric);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            counts[(reader.GetString(0), reader.GetString(1))] = (reader.GetInt64(2), reader.GetInt64(3));
        }
        return new PhraseSlotArms(seed, options, counts);
    }

    /// <summary>The choices of composed messages as rows to store: slot, variant and draw probability per send.</summary>
    public static IEnumerable<PhraseChoiceRecord> ChoicesOf(long sendId, IReadOnlyList<Compose.PhraseChoice> choices)
    {
        foreach (var c in choices)
        {
            yield return new PhraseChoiceRecord(sendId, c.Slot, c.VariantId, c.Probability);
        }
    }

    /// <summary>Stores which variant filled each slot of each send (one row per send and slot; a re-render replaces it).</summary>
    public static void RecordChoices(MailsmithStore store, IEnumerable<PhraseChoiceRecord> choices)
    {
        using var connection = store.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var insert = store.Command(connection, "learn-insert-phrase-choice", transaction);
        var sendId = insert.Parameters.Add("$send_id", Microsoft.Data.Sqlite.SqliteType.Integer);
        var slot = insert.Parameters.Add("$slot", Microsoft.Data.Sqlite.SqliteType.Text);
        var variant = insert.Parameters.Add("$variant_id", Microsoft.Data.Sqlite.SqliteType.Text);
        var probability = insert.Parameters.Add("$probability", Microsoft.Data.Sqlite.SqliteType.Real);
        foreach (var c in choices)
        {
            sendId.Value = c.SendId;
            slot.Value = c.Slot;
            variant.Value = c.VariantId;
            probability.Value = c.Probability is { } p ? p : DBNull.Value;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <remarks>
    /// Cached by the identity of <paramref name="variantIds"/> and the slot name: the writer passes the same array for a
    /// slot every time, so after the first call a lookup allocates nothing (static lambdas, state passed as an argument).
    /// A caller passing a new list each time still gets the same weights, computed again.
    /// </remarks>
    public IReadOnlyList<double> Weights(string slot, IReadOnlyList<string> variantIds) =>
        _cache.GetValue(variantIds, static _ => new ConcurrentDictionary<string, double[]>(StringComparer.Ordinal))
            .GetOrAdd(slot, static (s, state) => state.Arms.Compute(s, state.Ids), (Arms: this, Ids: variantIds));

    private double[] Compute(string slot, IReadOnlyList<string> variantIds)
    {
        var k = variantIds.Count;
        if (k <= 1)
        {
            return [.. Enumerable.Repeat(1.0, k)];
        }
        var arms = variantIds.Select(v => _counts.TryGetValue((slot, v), out var c) ? new ArmCounts(v, c.Trials, c.Successes) : new ArmCounts(v, 0, 0)).ToList();
        if (arms.All(a => a.Successes == 0))
        {
            // No response in this slot yet: exactly the phrase file's weights. Posterior draws would only be ≈ 1/k, and
            // with trials but no responses P(best) would favour the variants sent least, i.e. undo the file's weights
            // (which made them rare) without any evidence about the wording.
            return [.. Enumerable.Repeat(1.0, k)];
        }
        var policy = new ThompsonPolicy(_options, new Random(Seeds.Mix(_seed, 0, "slot:" + slot)));
        // P(best) with the floor, scaled so the mean weight is 1: a slot without data keeps the phrase file's weights.
        // Never exactly 0, even after the stop: the writer draws only among variants whose placeholders it can fill,
        // and a slot whose winner does not fit a recipient must still have something to say.
        var decision = policy.Decide(new ExperimentState(arms, arms.Sum(a => a.Trials), long.MaxValue));
        return [.. decision.Probabilities.Select(p => Math.Max(p, 1e-6) * k)];
    }
}
