using Mailsmith.Storage;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Learn;

/// <summary>How a bandit campaign learns: the response it counts, per segment or not, its exploration floor.</summary>
/// <param name="Metric"><c>click</c> (a human click) or <c>conversion</c> (an attributed order).</param>
/// <param name="PerSegment">One bandit per segment (lifecycle × locale) instead of one for the whole audience.</param>
/// <param name="ExplorationFloor">Share of every batch spread evenly over the variants until the bandit stops.</param>
public sealed record BanditSettings(string Metric, bool PerSegment, double ExplorationFloor)
{
    /// <summary>The metrics a bandit can count.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["click", "conversion"];
}

/// <summary>One allocation decision of a bandit campaign: a batch, a segment, the probability of each variant.</summary>
public sealed record BanditBatch(int Batch, string Segment, string Variant, double Probability, long Trials, long Successes, long Assigned, DateTimeOffset DecidedAt, string? Reason);

/// <summary>
/// Thompson sampling in the send path: before each batch of a campaign's messages is composed, the variants of the
/// batch's not-yet-attempted messages are drawn from the posterior probability that each variant is best, given every
/// delivered message's response so far (Beta-Bernoulli on human clicks or attributed conversions; revenue per
/// recipient with <see cref="LearnOptions.Objective"/>), per segment when configured, with an exploration floor. When
/// Scott's value-remaining rule (gated by the always-valid mSPRT, <see cref="ThompsonPolicy"/>) fires, the winner is
/// stored and every later send gets it.
/// </summary>
/// <remarks>
/// <para>The probability stored on each send is the one used for it (times the treated share when the campaign has a
/// holdout), so inverse-propensity estimates stay unbiased; each decision is stored in <c>bandit_batches</c>.
/// Draws are reproducible: the recipient's uniform comes from the campaign seed and the customer id, the posterior's
/// Monte Carlo from the campaign seed and the batch number.</para>
/// <para>Messages already claimed, attempted or sent keep their variant (a crash never changes a message that may
/// have gone out). Responses arrive through the tracking server while later batches wait for their send time, so
/// a campaign composed in one go all at once has no feedback to learn from until its next batch.</para>
/// <para>Not thread-safe: one send loop drives one instance.</para>
/// </remarks>
public sealed class SendPathBandit
{
    private readonly MailsmithStore _store;
    private readonly Campaign _campaign;
    private readonly LearnOptions _options;
    private readonly BanditSettings _settings;
    private readonly Func<string, string> _segmentOf;
    private readonly IReadOnlyList<string> _arms;
    private readonly double _treatedShare;
    private string? _winner;

    private SendPathBandit(MailsmithStore store, Campaign campaign, LearnOptions options, BanditSettings settings, string? winner, Func<string, string> segmentOf)
    {
        _store = store;
        _campaign = campaign;
        _options = options;
        _settings = settings;
        _segmentOf = segmentOf;
        _winner = winner;
        _arms = [.. campaign.Variants.Where(v => !VariantAssigner.IsHoldout(v) && v.Weight > 0).Select(v => v.Name)];
        _treatedShare = 1 - new VariantAssigner(campaign).HoldoutShare;
    }

    /// <summary>The campaign's variants the bandit allocates among (the holdout is never one of them).</summary>
    public IReadOnlyList<string> Arms => _arms;

    /// <summary>The winner once the bandit has stopped, else null.</summary>
    public string? Winner => _winner;

    /// <summary>
    /// The bandit of <paramref name="campaign"/>, or null when the campaign is not a bandit (<see cref="Enable"/>) or has
    /// fewer than two variants besides the holdout.
    /// </summary>
    /// <param name="segmentOf">The segment of a customer id (lifecycle × locale); used only with per-segment bandits.</param>
    public static SendPathBandit? For(MailsmithStore store, Campaign campaign, LearnOptions options, Func<string, string> segmentOf)
    {
        using var connection = store.OpenConnection();
        using var select = store.Command(connection, "learn-select-bandit");
        select.Parameters.AddWithValue("$campaign_id", campaign.CampaignId);
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var settings = new BanditSettings(reader.GetString(0), reader.GetInt64(1) != 0, reader.GetDouble(2));
        var winner = reader.IsDBNull(3) ? null : reader.GetString(3);
        var bandit = new SendPathBandit(store, campaign, options, settings, winner, segmentOf);
        return bandit._arms.Count >= 2 ? bandit : null;
    }

    /// <summary>Makes <paramref name="campaignId"/> a bandit campaign (or changes its settings; a stop already reached stays).</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    /// <exception cref="ArgumentException">An unknown metric, a floor outside [0, 1], or fewer than two variants besides the holdout.</exception>
    public static void Enable(MailsmithStore store, string campaignId, BanditSettings settings, DateTimeOffset now)
    {
        var campaign = store.GetCampaign(campaignId) ?? throw new KeyNotFoundException($"no campaign '{campaignId}'");
        if (!BanditSettings.Metrics.Contains(settings.Metric))
        {
            throw new ArgumentException($"--metric must be click or conversion, got '{settings.Metric}'");
        }
        if (settings.ExplorationFloor is < 0 or > 1 || double.IsNaN(settings.ExplorationFloor))
        {
            throw new ArgumentException("--floor must be between 0 and 1");
        }
        if (campaign.Variants.Count(v => !VariantAssigner.IsHoldout(v) && v.Weight > 0) < 2)
        {
            throw new ArgumentException($"campaign {campaignId} has fewer than two variants besides the holdout: nothing for a bandit to choose between");
        }
        using var connection = store.OpenConnection();
        using var upsert = store.Command(connection, "learn-upsert-bandit");
        upsert.Parameters.AddWithValue("$campaign_id", campaignId);
        upsert.Parameters.AddWithValue("$metric", settings.Metric);
        upsert.Parameters.AddWithValue("$per_segment", settings.PerSegment ? 1 : 0);
        upsert.Parameters.AddWithValue("$exploration_floor", settings.ExplorationFloor);
        upsert.Parameters.AddWithValue("$at", DbValues.ToDb(now));
        upsert.ExecuteNonQuery();
    }

    /// <summary>The campaign's allocation decisions, oldest first.</summary>
    public static IReadOnlyList<BanditBatch> LoadBatches(MailsmithStore store, string campaignId)
    {
        using var connection = store.OpenConnection();
        using var select = store.Command(connection, "learn-select-batches");
        select.Parameters.AddWithValue("$campaign_id", campaignId);
        using var reader = select.ExecuteReader();
        var list = new List<BanditBatch>();
        while (reader.Read())
        {
            list.Add(new BanditBatch(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetDouble(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), DbValues.Time(reader.GetInt64(7)), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        return list;
    }

    /// <summary>
    /// Decides the next batch from every response so far, draws the variant of each message of <paramref name="batch"/>
    /// that has not been attempted, stores the variants and probabilities and the decision, and returns the batch
    /// with the new variants (messages it may not change are returned as they were).
    /// </summary>
    public IReadOnlyList<Send> AssignBatch(IReadOnlyList<Send> batch, DateTimeOffset now)
    {
        var open = batch.Where(s => s.State == SendState.Planned && s.Attempts == 0).ToList();
        if (open.Count == 0)
        {
            return batch;
        }
        using var connection = _store.OpenConnection();
        var counts = Counts(connection);
        using var transaction = connection.BeginTransaction();
        var batchNumber = NextBatch(connection, transaction);
        var horizon = _store.LoadSends(_campaign.CampaignId).Count(s => !VariantAssigner.IsHoldout(s.Variant));
        var decisions = new Dictionary<string, AllocationDecision>(StringComparer.Ordinal);
        var assigned = new Dictionary<(string Segment, int Arm), long>();
        var changed = new Dictionary<long, Send>();
        using var reassign = _store.Command(connection, "learn-reassign-send", transaction);
        foreach (var send in open)
        {
            var segment = _settings.PerSegment ? _segmentOf(send.CustomerId) : BatchedExperiment.Everyone;
            if (!decisions.TryGetValue(segment, out var decision))
            {
                decision = Decide(segment, counts, horizon, batchNumber);
                decisions[segment] = decision;
            }
            var u = VariantAssigner.Uniform(_campaign.Seed, send.CustomerId, "bandit");
            var (arm, probability) = BatchedExperiment.Draw(decision.Probabilities, u);
            assigned[(segment, arm)] = assigned.GetValueOrDefault((segment, arm)) + 1;
            var stored = _treatedShare * probability;
            reassign.Parameters.Clear();
            reassign.Parameters.AddWithValue("$variant", _arms[arm]);
            reassign.Parameters.AddWithValue("$probability", stored);
            reassign.Parameters.AddWithValue("$at", DbValues.ToDb(now));
            reassign.Parameters.AddWithValue("$send_id", send.SendId);
            if (reassign.ExecuteNonQuery() == 1)
            {
                changed[send.SendId] = send with { Variant = _arms[arm], AssignmentProbability = stored };
            }
        }
        using var insert = _store.Command(connection, "learn-insert-batch", transaction);
        foreach (var (segment, decision) in decisions)
        {
            var arms = counts.GetValueOrDefault(segment);
            for (var a = 0; a < _arms.Count; a++)
            {
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$campaign_id", _campaign.CampaignId);
                insert.Parameters.AddWithValue("$batch", batchNumber);
                insert.Parameters.AddWithValue("$segment", segment);
                insert.Parameters.AddWithValue("$variant", _arms[a]);
                insert.Parameters.AddWithValue("$probability", decision.Probabilities[a]);
                insert.Parameters.AddWithValue("$trials", arms?[a].Trials ?? 0);
                insert.Parameters.AddWithValue("$successes", arms?[a].Successes ?? 0);
                insert.Parameters.AddWithValue("$assigned", assigned.GetValueOrDefault((segment, a)));
                insert.Parameters.AddWithValue("$at", DbValues.ToDb(now));
                insert.Parameters.AddWithValue("$reason", decision.Reason);
                insert.ExecuteNonQuery();
            }
            // Stopping is decided on the whole audience's bandit only: a per-segment bandit keeps learning per segment.
            if (!_settings.PerSegment && decision.Winner is { } w && _winner is null)
            {
                _winner = _arms[w];
                using var stop = _store.Command(connection, "learn-stop-bandit", transaction);
                stop.Parameters.AddWithValue("$campaign_id", _campaign.CampaignId);
                stop.Parameters.AddWithValue("$winner", _winner);
                stop.Parameters.AddWithValue("$at", DbValues.ToDb(now));
                stop.Parameters.AddWithValue("$reason", decision.Reason);
                stop.ExecuteNonQuery();
            }
        }
        transaction.Commit();
        return [.. batch.Select(s => changed.GetValueOrDefault(s.SendId, s))];
    }

    private AllocationDecision Decide(string segment, Dictionary<string, ArmCounts[]> counts, long horizon, int batch)
    {
        if (_winner is { } winner)
        {
            var index = Math.Max(0, _arms.ToList().IndexOf(winner));
            return new AllocationDecision([.. _arms.Select((_, a) => a == index ? 1.0 : 0.0)], index, $"stopped earlier: every send to {winner}");
        }
        var arms = counts.GetValueOrDefault(segment) ?? [.. _arms.Select(n => new ArmCounts(n, 0, 0))];
        var options = new LearnOptions
        {
            Alpha = _options.Alpha, BaselineRate = _options.BaselineRate, MinimumDetectableEffect = _options.MinimumDetectableEffect,
            ExplorationFloor = _settings.ExplorationFloor, StopValueRemaining = _options.StopValueRemaining, StopProbability = _options.StopProbability,
            SequentialGate = _options.SequentialGate, MinTrialsPerArm = _options.MinTrialsPerArm, PosteriorDraws = _options.PosteriorDraws,
            Objective = _options.Objective,
        };
        var policy = new ThompsonPolicy(options, new Random(Seeds.Mix(_campaign.Seed, batch, "bandit:" + segment)));
        return policy.Decide(new ExperimentState(arms, arms.Sum(a => a.Trials), horizon));
    }

    /// <summary>Per segment and arm: delivered messages, responses, revenue.</summary>
    private Dictionary<string, ArmCounts[]> Counts(SqliteConnection connection)
    {
        var trials = new Dictionary<string, (long[] T, long[] S, double[] R)>(StringComparer.Ordinal);
        using var select = _store.Command(connection, "learn-bandit-outcomes");
        select.Parameters.AddWithValue("$campaign_id", _campaign.CampaignId);
        select.Parameters.AddWithValue("$type", _settings.Metric);
        using var reader = select.ExecuteReader();
        var index = _arms.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        while (reader.Read())
        {
            if (!index.TryGetValue(reader.GetString(1), out var arm))
            {
                continue;
            }
            var segment = _settings.PerSegment ? _segmentOf(reader.GetString(0)) : BatchedExperiment.Everyone;
            if (!trials.TryGetValue(segment, out var t))
            {
                t = (new long[_arms.Count], new long[_arms.Count], new double[_arms.Count]);
                trials[segment] = t;
            }
            t.T[arm]++;
            t.S[arm] += reader.GetInt64(2);
            t.R[arm] += reader.GetDouble(3);
        }
        return trials.ToDictionary(kv => kv.Key, kv => _arms.Select((n, a) => new ArmCounts(n, kv.Value.T[a], kv.Value.S[a], kv.Value.R[a])).ToArray(), StringComparer.Ordinal);
    }

    private int NextBatch(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var next = _store.Command(connection, "learn-next-batch", transaction);
        next.Parameters.AddWithValue("$campaign_id", _campaign.CampaignId);
        return Convert.ToInt32(next.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
