namespace Mailsmith.Learn;

/// <summary>Experiment and bandit settings. Configuration section <c>Learn</c>.</summary>
public sealed class LearnOptions
{
    /// <summary>Family-wise significance level of the fixed-horizon A/B test. Default 0.05.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Power the sample-size planner aims for. Default 0.8.</summary>
    public double Power { get; init; } = 0.8;

    /// <summary>Baseline response (click) rate the A/B planner assumes when the campaign has no history. Default 0.02 (Mailchimp e-commerce clicks).</summary>
    public double BaselineRate { get; init; } = 0.02;

    /// <summary>Minimum detectable effect of the A/B planner, relative to the baseline. Default 0.1 (+10%).</summary>
    public double MinimumDetectableEffect { get; init; } = 0.1;

    /// <summary>Largest share of the audience an A/B test may use before the winner goes to the rest. Default 0.5.</summary>
    public double MaxTestShare { get; init; } = 0.5;

    /// <summary>Thompson sampling: this share of every batch is spread evenly over the arms (each arm keeps at least floor / k) until the experiment stops. Default 0.01.</summary>
    public double ExplorationFloor { get; init; } = 0.01;

    /// <summary>Thompson sampling stops when no arm beats the champion by more than this share of its rate… Default 0.01 (1%).</summary>
    public double StopValueRemaining { get; init; } = 0.01;

    /// <summary>…with this posterior probability (Scott 2015's potential value remaining). Default 0.95.</summary>
    public double StopProbability { get; init; } = 0.95;

    /// <summary>
    /// Thompson sampling stops only when, besides the value-remaining rule, an always-valid mSPRT at <see cref="Alpha"/>
    /// finds the champion better than every other arm (mixture scale: the minimum detectable effect at the pooled rate).
    /// Default true: without it, the rule checked every batch declares false winners in A/A tests.
    /// </summary>
    public bool SequentialGate { get; init; } = true;

    /// <summary>Thompson sampling never stops before every arm has this many recipients. Default 100.</summary>
    public int MinTrialsPerArm { get; init; } = 100;

    /// <summary>Monte Carlo draws per posterior summary (probability best, value remaining). Default 1000 (P(best) to about ±1.5%).</summary>
    public int PosteriorDraws { get; init; } = 1000;

    /// <summary>What Thompson sampling optimises: <c>Rate</c> (clicks or conversions) or <c>RevenuePerRecipient</c>. Default <c>Rate</c>.</summary>
    public BanditObjective Objective { get; init; } = BanditObjective.Rate;

    /// <summary>Run a separate bandit per segment (lifecycle × locale) instead of one for the whole audience. Default false.</summary>
    public bool PerSegment { get; init; }

    /// <summary>Recipients per batch between bandit updates, as a share of the audience. Default 0.01 (100 batches).</summary>
    public double BatchShare { get; init; } = 0.01;
}
