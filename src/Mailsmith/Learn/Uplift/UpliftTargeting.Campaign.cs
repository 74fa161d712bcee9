using Mailsmith.Learn.Models;
using Mailsmith.Pipeline;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Learn.Uplift;

/// <summary>
/// How a campaign is addressed by uplift: a two-model learner trained on <paramref name="SourceCampaignId"/>'s randomized
/// holdout experiment scores the new audience, and only the persuadables with the highest predicted uplift are sent to,
/// at most <paramref name="Budget"/> of them (docs/learn.md "Targeting by uplift").
/// </summary>
/// <param name="SourceCampaignId">An earlier campaign created with a holdout, composed and sent.</param>
/// <param name="Budget">The most messages the campaign sends.</param>
/// <param name="Model">The two-model's classifiers.</param>
/// <param name="Margin">Uplift a person must clear to be persuadable (below −margin: do-not-disturb).</param>
/// <param name="WindowDays">A purchase counts as the outcome within this many days after the send was planned.</param>
public sealed record UpliftTarget(string SourceCampaignId, int Budget, LearnerKind Model = LearnerKind.LogisticRegression, double Margin = 0.005, double WindowDays = 7);

/// <summary>The targeting decision for a campaign's candidates: per candidate the reason it is held back (null: send).</summary>
/// <param name="Reasons">Per candidate: null (send), or <c>uplift_over_budget</c>, <c>uplift_sure_thing</c>, <c>uplift_lost_cause</c>, <c>uplift_do_not_disturb</c>.</param>
/// <param name="Treated">Predicted P(purchase | emailed) per candidate.</param>
/// <param name="Control">Predicted P(purchase | not emailed) per candidate.</param>
/// <param name="TrainRows">Rows of the source experiment the learner was fitted on.</param>
public sealed record UpliftDecision(string?[] Reasons, float[] Treated, float[] Control, int TrainRows);

/// <summary>Stores, loads and applies <see cref="UpliftTarget"/>s.</summary>
public static class CampaignUpliftTargeting
{
    public const string OverBudget = "uplift_over_budget";
    public const string SureThing = "uplift_sure_thing";
    public const string LostCause = "uplift_lost_cause";
    public const string DoNotDisturb = "uplift_do_not_disturb";

    /// <summary>Addresses <paramref name="campaignId"/> by uplift; checks the source can train a learner first.</summary>
    /// <exception cref="ArgumentException">Bad budget, margin or window, or the source is the campaign itself.</exception>
    /// <exception cref="KeyNotFoundException">No such source campaign.</exception>
    /// <exception cref="InvalidOperationException">The source has no holdout or no sent messages.</exception>
    public static void Save(MailsmithStore store, string campaignId, UpliftTarget target, DateTimeOffset now)
    {
        Validate(store, campaignId, target);
        using var connection = store.OpenConnection();
        using var upsert = store.Command(connection, "uplift-upsert-target");
        upsert.Parameters.AddWithValue("$campaign_id", campaignId);
        upsert.Parameters.AddWithValue("$source_campaign_id", target.SourceCampaignId);
        upsert.Parameters.AddWithValue("$budget", target.Budget);
        upsert.Parameters.AddWithValue("$model", target.Model == LearnerKind.LightGbm ? "lightgbm" : "logistic");
        upsert.Parameters.AddWithValue("$margin", target.Margin);
        upsert.Parameters.AddWithValue("$window_days", target.WindowDays);
        upsert.Parameters.AddWithValue("$at", DbValues.ToDb(now));
        upsert.ExecuteNonQuery();
    }

    /// <summary>How <paramref name="campaignId"/> is addressed by uplift, or null when by its audience alone.</summary>
    public static UpliftTarget? Load(MailsmithStore store, string campaignId)
    {
        using var connection = store.OpenConnection();
        using var select = store.Command(connection, "uplift-select-target");
        select.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = select.ExecuteReader();
        return reader.Read()
            ? new UpliftTarget(reader.GetString(0), reader.GetInt32(1), reader.GetString(2) == "lightgbm" ? LearnerKind.LightGbm : LearnerKind.LogisticRegression,
                reader.GetDouble(3), reader.GetDouble(4))
            : null;
    }

    /// <summary>Checks a target before anything is stored (<paramref name="campaignId"/> null: a campaign not yet created).</summary>
    /// <exception cref="ArgumentException">Bad budget, margin or window, or the source is the campaign itself.</exception>
    /// <exception cref="KeyNotFoundException">No such source campaign.</exception>
    /// <exception cref="InvalidOperationException">The source has no holdout or no sent messages.</exception>
    public static void Validate(MailsmithStore store, string? campaignId, UpliftTarget target)
    {
        if (target.Budget < 0)
        {
            throw new ArgumentException($"--budget {target.Budget}: must be 0 or more");
        }
        if (!(target.Margin >= 0) || !(target.WindowDays > 0))
        {
            throw new ArgumentException("the uplift margin must be 0 or more and the window more than 0 days");
        }
        if (target.SourceCampaignId == campaignId)
        {
            throw new ArgumentException($"campaign {campaignId} cannot learn its targeting from itself: name an earlier campaign with a holdout");
        }
        var source = store.GetCampaign(target.SourceCampaignId)
            ?? throw new KeyNotFoundException($"no campaign '{target.SourceCampaignId}' to learn uplift from (see campaign list)");
        var sends = store.LoadSends(source.CampaignId);
        var sent = sends.Count(s => s.State == SendState.Sent);
        var held = sends.Count(s => s.State == SendState.Suppressed && s.Reason == VariantAssigner.HoldoutReason);
        if (sent == 0 || held == 0)
        {
            throw new InvalidOperationException(
                $"campaign {source.CampaignId} has {sent:N0} sent and {held:N0} held-out recipients; uplift targeting needs both " +
                "(create it with --holdout SHARE, then compose and send it)");
        }
    }

    /// <summary>
    /// Fits the two-model learner on the source experiment and decides, for each candidate (the campaign's recipients
    /// who would otherwise be sent to), whether they are sent to: persuadables by predicted uplift, highest first, up to
    /// the budget. Deterministic for the same store and <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The source experiment has no purchase in one of its groups.</exception>
    public static UpliftDecision Decide(
        MailsmithStore store, MailsmithSettings settings, UpliftTarget target,
        IReadOnlyList<(Customer Customer, CustomerProfile Profile)> candidates, int seed)
    {
        var (data, _, _) = StoreUpliftData.Build(store, settings, target.SourceCampaignId, target.WindowDays);
        for (var group = 0; group < 2; group++)
        {
            var treated = group == 0;
            var rows = Enumerable.Range(0, data.Count).Where(i => data.Treatment[i] == treated).ToList();
            var buyers = rows.Count(i => data.Outcome[i]);
            if (buyers == 0 || buyers == rows.Count)
            {
                throw new InvalidOperationException(
                    $"campaign {target.SourceCampaignId}: {buyers:N0} of the {rows.Count:N0} {(treated ? "emailed" : "held-out")} recipients bought within " +
                    $"{target.WindowDays:0.#} days; uplift needs buyers and non-buyers in both groups (wait for more orders, or a longer window)");
            }
        }
        var all = Enumerable.Range(0, data.Count).ToArray();
        var encoder = new FeatureEncoder(data, all);
        var features = all.Select(i => encoder.Encode(data.Rows[i])).ToList();
        var model = new TwoModelUplift(target.Model);
        model.Fit(features, data.Treatment, data.Outcome, seed);

        var x = candidates.Select(c => encoder.Encode(StoreUpliftData.FeatureRow(c.Profile, c.Customer))).ToList();
        var (p1, p0) = candidates.Count == 0 ? ([], []) : model.PredictBoth(x);
        var reasons = new string?[candidates.Count];
        for (var i = 0; i < reasons.Length; i++)
        {
            reasons[i] = UpliftTargeting.Classify(p1[i], p0[i], target.Margin) switch
            {
                UpliftGroup.SureThing => SureThing,
                UpliftGroup.LostCause => LostCause,
                UpliftGroup.DoNotDisturb => DoNotDisturb,
                _ => OverBudget,
            };
        }
        foreach (var i in UpliftTargeting.Select(p1, p0, target.Budget, target.Margin))
        {
            reasons[i] = null;
        }
        return new UpliftDecision(reasons, p1, p0, data.Count);
    }
}
