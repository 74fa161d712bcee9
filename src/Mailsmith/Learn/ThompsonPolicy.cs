namespace Mailsmith.Learn;

/// <summary>
/// Batched Thompson sampling: each batch is assigned with the posterior probability that each arm is best, mixed
/// with an exploration floor; it stops when there is <see cref="LearnOptions.StopProbability"/> probability that
/// no arm beats the champion by more than <see cref="LearnOptions.StopValueRemaining"/> of its value (Scott 2015,
/// "potential value remaining") and — unless <see cref="LearnOptions.SequentialGate"/> is off — an always-valid
/// mSPRT (<see cref="SequentialTest"/>) finds the champion better than every other arm; from then on every send goes
/// to the champion.
/// </summary>
/// <remarks>
/// The assignment probability of a batch is the Monte Carlo estimate of P(best) itself, so recording it makes
/// inverse-propensity estimates exact for the probabilities actually used.
/// </remarks>
public sealed class ThompsonPolicy(LearnOptions options, Random random) : IAllocationPolicy
{
    private int? _winner;
    private string _stopReason = "";

    public string Name => "thompson";

    /// <summary>The last posterior summary, for reports.</summary>
    public PosteriorSummary? LastSummary { get; private set; }

    public AllocationDecision Decide(ExperimentState state)
    {
        var k = state.Arms.Count;
        if (_winner is { } w)
        {
            return new AllocationDecision(OneHot(k, w), w, _stopReason);
        }
        var summary = Summarize(state);
        if (ShouldStop(state, summary))
        {
            _winner = summary.Champion;
            _stopReason = $"stopped: {options.StopProbability:P0} probability that no arm beats {state.Arms[summary.Champion].Name} by more than {summary.ValueRemaining:P2} (≤ {options.StopValueRemaining:P0})";
            return new AllocationDecision(OneHot(k, summary.Champion), _winner, _stopReason);
        }
        // The floor is a share of the batch spread evenly over the arms, so it costs the same whatever the arm count.
        var floor = Math.Clamp(options.ExplorationFloor, 0, 1);
        var probabilities = summary.Arms.Select(a => floor / k + (1 - floor) * a.ProbabilityBest).ToArray();
        return new AllocationDecision(probabilities, null, $"learning: value remaining {summary.ValueRemaining:P2}");
    }

    public PolicyConclusion Conclude(ExperimentState state)
    {
        if (_winner is { } w)
        {
            return new PolicyConclusion(w, true, _stopReason);
        }
        var summary = Summarize(state);
        if (ShouldStop(state, summary))
        {
            _winner = summary.Champion;
            return new PolicyConclusion(summary.Champion, true, "stopped at the end of the horizon");
        }
        return new PolicyConclusion(summary.Champion, false, $"horizon spent before the stopping rule held (value remaining {summary.ValueRemaining:P2})");
    }

    private PosteriorSummary Summarize(ExperimentState state)
    {
        LastSummary = BayesianArms.Summarize(state.Arms, random, options.PosteriorDraws, options.StopProbability, options.Objective, intervals: false);
        return LastSummary;
    }

    private bool ShouldStop(ExperimentState state, PosteriorSummary summary)
    {
        if (state.Arms.Count == 1)
        {
            return true;
        }
        if (!state.Arms.All(a => a.Trials >= options.MinTrialsPerArm) || summary.ValueRemaining > options.StopValueRemaining)
        {
            return false;
        }
        // Scott's rule alone is checked after every batch while Thompson sampling starves the arms it doubts, and
        // in A/A simulations it then declared a winner in about a third of campaigns. The always-valid mSPRT gate
        // keeps that at α without changing what is allocated while learning.
        if (!options.SequentialGate)
        {
            return true;
        }
        var pooled = state.Arms.Sum(a => (double)a.Successes) / Math.Max(1, state.Arms.Sum(a => (double)a.Trials));
        var tau = Math.Max(1e-6, options.MinimumDetectableEffect * pooled);
        return SequentialTest.ChampionBeatsAll(state.Arms, summary.Champion, options.Alpha, tau);
    }

    internal static double[] OneHot(int k, int arm)
    {
        var p = new double[k];
        p[arm] = 1;
        return p;
    }
}

/// <summary>
/// Classic A/B/n with a fixed horizon: equal shares until the planned test size is sent (the planner's size, at
/// most <see cref="LearnOptions.MaxTestShare"/> of the horizon), one analysis when its responses are in, then the
/// winner — or the control when nothing wins — for everyone else. The analysis runs exactly once: no peeking.
/// </summary>
public sealed class AbTestPolicy(LearnOptions options, double? baselineRate = null) : IAllocationPolicy
{
    private AbVerdict? _verdict;
    private int _winnerIndex;

    public string Name => "ab";

    /// <summary>The verdict, once the test has been analysed.</summary>
    public AbVerdict? Verdict => _verdict;

    /// <summary>Recipients the test phase uses for a horizon of <paramref name="horizon"/> and <paramref name="arms"/> arms.</summary>
    public long TestSize(long horizon, int arms)
    {
        if (arms < 2)
        {
            return 0;
        }
        var plan = SampleSizePlanner.Plan(baselineRate ?? options.BaselineRate, options.MinimumDetectableEffect, options.Alpha, options.Power, arms);
        return Math.Min(plan.Total, (long)Math.Floor(options.MaxTestShare * horizon));
    }

    public AllocationDecision Decide(ExperimentState state)
    {
        var k = state.Arms.Count;
        if (_verdict is null && state.Sent >= TestSize(state.Horizon, k))
        {
            Analyse(state);
        }
        if (_verdict is not null)
        {
            return new AllocationDecision(ThompsonPolicy.OneHot(k, _winnerIndex), _winnerIndex, _verdict.Reason);
        }
        return new AllocationDecision(Enumerable.Repeat(1.0 / k, k).ToArray(), null, "testing");
    }

    /// <summary>How many of the next recipients still belong to the test phase (the runner cuts a batch there).</summary>
    public long RemainingTest(ExperimentState state) => _verdict is null ? Math.Max(0, TestSize(state.Horizon, state.Arms.Count) - state.Sent) : 0;

    public PolicyConclusion Conclude(ExperimentState state)
    {
        if (_verdict is null)
        {
            Analyse(state);
        }
        return new PolicyConclusion(_winnerIndex, _verdict!.WinnerDeclared, _verdict.Reason);
    }

    private void Analyse(ExperimentState state)
    {
        _verdict = AbTestAnalysis.Analyse(state.Arms, alpha: options.Alpha);
        _winnerIndex = UniformPolicy.IndexOf(state, _verdict.Winner);
    }
}
