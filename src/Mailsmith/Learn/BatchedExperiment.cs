namespace Mailsmith.Learn;

/// <summary>One recipient's arm and the probability it was assigned with (stored on the send for inverse-propensity weighting).</summary>
public readonly record struct ArmAssignment(int Arm, double Probability);

/// <summary>
/// The batch loop of an experiment over one arm set: per segment (or one segment for everyone) it holds the counts
/// and the policy, fixes the assignment probabilities at the start of each batch, assigns recipients by a uniform
/// draw, and takes responses as they arrive. The simulator, the replay and the campaign runner all drive this class.
/// </summary>
/// <remarks>
/// Not thread-safe: one experiment is driven by one loop. Counts include only recipients whose outcome is final:
/// call <see cref="RecordSent"/> when a message goes out and <see cref="RecordResponse"/> when it responds.
/// </remarks>
public sealed class BatchedExperiment
{
    private readonly IReadOnlyList<string> _arms;
    private readonly Func<string, IAllocationPolicy> _policyFactory;
    private readonly IReadOnlyDictionary<string, long> _horizons;
    private readonly long _defaultHorizon;
    private readonly Dictionary<string, Segment> _segments = new(StringComparer.Ordinal);

    /// <param name="arms">Arm names in order (campaign variants, or one phrase slot's variants).</param>
    /// <param name="policyFactory">Creates the policy of a segment the first time it is seen.</param>
    /// <param name="horizons">Planned recipients per segment; a segment not listed gets <paramref name="defaultHorizon"/>.</param>
    public BatchedExperiment(IReadOnlyList<string> arms, Func<string, IAllocationPolicy> policyFactory, IReadOnlyDictionary<string, long> horizons, long defaultHorizon)
    {
        if (arms.Count == 0)
        {
            throw new ArgumentException("an experiment needs at least one arm", nameof(arms));
        }
        _arms = arms;
        _policyFactory = policyFactory;
        _horizons = horizons;
        _defaultHorizon = defaultHorizon;
    }

    /// <summary>The segment key used when the experiment is not split by segment.</summary>
    public const string Everyone = "";

    public IReadOnlyList<string> Arms => _arms;

    /// <summary>Segments seen so far.</summary>
    public IEnumerable<string> Segments => _segments.Keys;

    /// <summary>Fixes every known segment's probabilities for the next batch from the responses in so far.</summary>
    public void BeginBatch()
    {
        foreach (var segment in _segments.Values)
        {
            segment.Decision = segment.Policy.Decide(segment.State(_arms));
        }
    }

    /// <summary>Assigns one recipient of <paramref name="segment"/> by the uniform draw <paramref name="u"/> in [0, 1).</summary>
    /// <remarks>Draw <paramref name="u"/> reproducibly (e.g. <see cref="VariantAssigner.Uniform"/> of the campaign seed and customer).</remarks>
    public ArmAssignment Assign(string segment, double u)
    {
        var s = Get(segment);
        return Draw(s.Decision.Probabilities, u);
    }

    /// <summary>The arm a uniform draw <paramref name="u"/> in [0, 1) picks from <paramref name="probabilities"/>, and its probability.</summary>
    public static ArmAssignment Draw(IReadOnlyList<double> probabilities, double u)
    {
        var arm = probabilities.Count - 1;
        var x = u;
        for (var a = 0; a < probabilities.Count; a++)
        {
            if (x < probabilities[a])
            {
                arm = a;
                break;
            }
            x -= probabilities[a];
        }
        // Rounding can leave the last arm picked with probability 0; walk back to one that can be drawn.
        while (probabilities[arm] <= 0 && arm > 0)
        {
            arm--;
        }
        return new ArmAssignment(arm, probabilities[arm]);
    }

    /// <summary>Counts a message as sent on <paramref name="arm"/>.</summary>
    public void RecordSent(string segment, int arm)
    {
        var s = Get(segment);
        s.Trials[arm]++;
        s.Sent++;
    }

    /// <summary>Counts a response (click or conversion) of a message sent on <paramref name="arm"/>, with its revenue if any.</summary>
    public void RecordResponse(string segment, int arm, double revenue = 0)
    {
        var s = Get(segment);
        s.Successes[arm]++;
        s.Revenue[arm] += revenue;
    }

    /// <summary>The counts and planned audience of one segment.</summary>
    public ExperimentState State(string segment) => Get(segment).State(_arms);

    /// <summary>The policy of one segment (for its posterior or verdict).</summary>
    public IAllocationPolicy Policy(string segment) => Get(segment).Policy;

    /// <summary>The decision in force for one segment.</summary>
    public AllocationDecision Decision(string segment) => Get(segment).Decision;

    /// <summary>Counts over all segments together.</summary>
    public IReadOnlyList<ArmCounts> TotalCounts() =>
        _arms.Select((name, a) => new ArmCounts(name, _segments.Values.Sum(s => s.Trials[a]), _segments.Values.Sum(s => s.Successes[a]), _segments.Values.Sum(s => s.Revenue[a]))).ToList();

    private Segment Get(string segment)
    {
        if (!_segments.TryGetValue(segment, out var s))
        {
            var horizon = _horizons.TryGetValue(segment, out var h) ? h : _defaultHorizon;
            s = new Segment(_policyFactory(segment), _arms.Count, horizon);
            s.Decision = s.Policy.Decide(s.State(_arms));
            _segments[segment] = s;
        }
        return s;
    }

    private sealed class Segment(IAllocationPolicy policy, int arms, long horizon)
    {
        public IAllocationPolicy Policy { get; } = policy;
        public long[] Trials { get; } = new long[arms];
        public long[] Successes { get; } = new long[arms];
        public double[] Revenue { get; } = new double[arms];
        public long Sent { get; set; }
        public long Horizon { get; } = horizon;
        public AllocationDecision Decision { get; set; } = null!;

        public ExperimentState State(IReadOnlyList<string> names) =>
            new(names.Select((n, a) => new ArmCounts(n, Trials[a], Successes[a], Revenue[a])).ToList(), Sent, Horizon);
    }
}
