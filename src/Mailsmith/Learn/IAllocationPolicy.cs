namespace Mailsmith.Learn;

/// <summary>What a policy knows when it decides the next batch: the arms' counts so far and the planned audience.</summary>
/// <param name="Arms">Counts per arm, in the arm set's order, including every response that has arrived.</param>
/// <param name="Sent">Recipients assigned so far (responses of the last batch may still be out).</param>
/// <param name="Horizon">Recipients the experiment will reach in total (its audience, or the segment's part of it).</param>
public sealed record ExperimentState(IReadOnlyList<ArmCounts> Arms, long Sent, long Horizon);

/// <summary>Assignment probabilities for the next batch, and whether the experiment has stopped on a winner.</summary>
/// <param name="Probabilities">One per arm, summing to 1; recorded on every send as its assignment probability.</param>
/// <param name="Winner">The arm every further send goes to, once the policy has stopped; null while it is learning.</param>
public sealed record AllocationDecision(IReadOnlyList<double> Probabilities, int? Winner, string Reason);

/// <summary>The policy's final word at the end of the horizon.</summary>
/// <param name="Choice">The arm it would send from now on.</param>
/// <param name="WinnerDeclared">True when its own stopping or testing rule declared a winner (not merely a best guess).</param>
public sealed record PolicyConclusion(int Choice, bool WinnerDeclared, string Reason);

/// <summary>
/// How an experiment splits its audience among the arms of one arm set (campaign variants, or one phrase slot's
/// variants), batch by batch, as responses arrive. The simulator, the replay and the campaign runner drive the
/// same implementations.
/// </summary>
/// <remarks>
/// An instance belongs to one experiment (one arm set in one segment) and may keep state between batches, such as a
/// winner once declared: decisions are sticky, which is what makes a fixed-horizon test valid.
/// </remarks>
public interface IAllocationPolicy
{
    /// <summary>The policy's key in reports and JSON (<c>thompson</c>, <c>ab</c>, <c>uniform</c>).</summary>
    string Name { get; }

    /// <summary>Probabilities for the next batch given everything observed so far.</summary>
    AllocationDecision Decide(ExperimentState state);

    /// <summary>The arm the policy picks when the horizon is spent, and whether it declared it a winner.</summary>
    PolicyConclusion Conclude(ExperimentState state);
}

/// <summary>Equal shares for the whole horizon; at the end, the fixed-horizon test on everything decides (the baseline to beat).</summary>
public sealed class UniformPolicy(double alpha = 0.05) : IAllocationPolicy
{
    public string Name => "uniform";

    public AllocationDecision Decide(ExperimentState state) =>
        new(Enumerable.Repeat(1.0 / state.Arms.Count, state.Arms.Count).ToArray(), null, "uniform");

    public PolicyConclusion Conclude(ExperimentState state)
    {
        var verdict = AbTestAnalysis.Analyse(state.Arms, alpha: alpha);
        // Without a declared winner, uniform still names its best guess: the highest observed rate.
        var choice = verdict.WinnerDeclared ? IndexOf(state, verdict.Winner) : ArgMaxRate(state.Arms);
        return new PolicyConclusion(choice, verdict.WinnerDeclared, verdict.Reason);
    }

    internal static int IndexOf(ExperimentState state, string name)
    {
        for (var i = 0; i < state.Arms.Count; i++)
        {
            if (state.Arms[i].Name == name)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"arm {name} not found");
    }

    internal static int ArgMaxRate(IReadOnlyList<ArmCounts> arms)
    {
        var best = 0;
        for (var i = 1; i < arms.Count; i++)
        {
            if (arms[i].Rate > arms[best].Rate)
            {
                best = i;
            }
        }
        return best;
    }
}
