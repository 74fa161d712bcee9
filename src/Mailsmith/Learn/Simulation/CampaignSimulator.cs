namespace Mailsmith.Learn.Simulation;

/// <summary>What <c>mailsmith learn simulate</c> simulates. Defaults follow the issue: K = 3, N = 200,000, E = +10%.</summary>
public sealed class SimulationOptions
{
    /// <summary>Arms of the experiment. Default 3.</summary>
    public int Arms { get; init; } = 3;

    /// <summary>Recipients per simulated campaign. Default 200,000.</summary>
    public int Recipients { get; init; } = 200_000;

    /// <summary>Relative click-rate advantage of the best arm over the others, averaged over the population. Default 0.1.</summary>
    public double Effect { get; init; } = 0.1;

    /// <summary>Simulated campaigns per policy. Default 100.</summary>
    public int Runs { get; init; } = 100;

    /// <summary>A/A mode: every arm has the same truth. Default false.</summary>
    public bool AllEqual { get; init; }

    /// <summary>Seed of everything random. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Human opens per delivery (Mailchimp e-commerce average). Default 0.16.</summary>
    public double HumanOpenRate { get; init; } = 0.16;

    /// <summary>Clicks per delivery of a non-best arm (Mailchimp e-commerce average). Default 0.02.</summary>
    public double ClickRate { get; init; } = 0.02;

    /// <summary>Unsubscribes per delivery. Default 0.002.</summary>
    public double UnsubscribeRate { get; init; } = 0.002;

    /// <summary>Deliveries that get an automatic (machine, e.g. Apple Mail Privacy Protection) open. Default 1/3.</summary>
    public double MachineOpenShare { get; init; } = 1.0 / 3;

    /// <summary>Hours over which the campaign's batches go out, starting 08:00 local. Default 12.</summary>
    public double SendWindowHours { get; init; } = 12;
}

/// <summary>The simulator's figures: a score per policy plus the population's observed engagement, to check calibration.</summary>
public sealed record SimulationResult(
    IReadOnlyDictionary<string, PolicyScore> Scores,
    int Runs,
    int Recipients,
    int Arms,
    double Effect,
    bool AllEqual,
    double HumanOpenRate,
    double MachineOpenShare,
    double ClickRate,
    double UnsubscribeRate,
    double BestArmLift);

/// <summary>
/// A synthetic campaign audience with known truth, and the production policies run against it through
/// <see cref="BatchedExperiment"/>: lifecycle × locale segments with different base rates and different uplift,
/// a time-of-day effect by each recipient's active hour, human and machine opens, clicks and unsubscribes at
/// Mailchimp's e-commerce rates.
/// </summary>
/// <remarks>
/// Every policy sees the same recipients in the same order with the same random outcome draws (common random
/// numbers), so their differences are the policies', not the luck of the draw. Responses of a batch arrive before
/// the next batch is allocated.
/// </remarks>
public sealed class CampaignSimulator(SimulationOptions options, LearnOptions learn)
{
    // Lifecycle: share of the audience, click-rate multiplier, and how strongly the best arm's advantage shows.
    private static readonly (string Name, double Share, double Rate, double Uplift)[] Lifecycles =
        [("new", 0.10, 1.2, 1.5), ("active", 0.35, 1.3, 1.2), ("at_risk", 0.20, 0.7, 0.8), ("lapsed", 0.25, 0.4, 0.2), ("vip", 0.10, 2.0, 1.5)];

    private static readonly (string Name, double Share, double Rate, double Uplift)[] Locales =
        [("en-US", 0.45, 1.0, 1.1), ("zh-CN", 0.45, 1.05, 0.9), ("other", 0.10, 0.9, 1.0)];

    /// <summary>Runs <see cref="SimulationOptions.Runs"/> campaigns for each of <paramref name="policies"/>.</summary>
    public SimulationResult Run(IReadOnlyList<string> policies, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Arms < 2 || options.Recipients < 100 || options.Runs < 1)
        {
            throw new ArgumentException("simulate needs at least 2 arms, 100 recipients and 1 run");
        }
        var scores = policies.ToDictionary(p => p, _ => new ScoreAccumulator());
        long delivered = 0, humanOpens = 0, machineOpens = 0, clicks = 0, unsubscribes = 0;
        double bestLift = 0;
        var done = 0;
        var lockObject = new object();
        Parallel.For(0, options.Runs, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, run =>
        {
            var population = Population.Create(options, Lifecycles, Locales, Seeds.Mix(options.Seed, run, "population"));
            foreach (var key in policies)
            {
                var outcome = RunPolicy(population, key, Seeds.Mix(options.Seed, run, key));
                scores[key].Add(outcome.Regret, outcome.PickedBest, outcome.Declared);
                lock (lockObject)
                {
                    delivered += outcome.Delivered;
                    humanOpens += outcome.HumanOpens;
                    machineOpens += outcome.MachineOpens;
                    clicks += outcome.Clicks;
                    unsubscribes += outcome.Unsubscribes;
                }
            }
            lock (lockObject)
            {
                bestLift += population.BestArmLift;
                done++;
                progress?.Report(done);
            }
        });
        return new SimulationResult(
            scores.ToDictionary(kv => kv.Key, kv => kv.Value.Score()), options.Runs, options.Recipients, options.Arms, options.AllEqual ? 0 : options.Effect,
            options.AllEqual, (double)humanOpens / delivered, (double)machineOpens / delivered, (double)clicks / delivered, (double)unsubscribes / delivered,
            bestLift / options.Runs);
    }

    private RunOutcome RunPolicy(Population population, string key, int seed)
    {
        var random = new Random(seed);
        var n = population.Count;
        var batch = Math.Max(1, (int)Math.Round(n * learn.BatchShare));
        var horizons = learn.PerSegment
            ? population.SegmentOf.GroupBy(s => s).ToDictionary(g => population.SegmentNames[g.Key], g => (long)g.Count(), StringComparer.Ordinal)
            : new Dictionary<string, long>(StringComparer.Ordinal) { [BatchedExperiment.Everyone] = n };
        var arms = Enumerable.Range(0, options.Arms).Select(a => ((char)('A' + a)).ToString()).ToList();
        var experiment = new BatchedExperiment(arms, _ => Policies.Create(key, learn, random, options.ClickRate), horizons, n);
        double regret = 0;
        long opens = 0, machine = 0, clicked = 0, unsubscribed = 0;
        for (var start = 0; start < n; start += batch)
        {
            experiment.BeginBatch();
            var end = Math.Min(n, start + batch);
            for (var i = start; i < end; i++)
            {
                var segment = learn.PerSegment ? population.SegmentNames[population.SegmentOf[i]] : BatchedExperiment.Everyone;
                var assignment = experiment.Assign(segment, random.NextDouble());
                experiment.RecordSent(segment, assignment.Arm);
                var p = population.ClickProbability(i, assignment.Arm);
                regret += population.ClickProbability(i, population.BestArm) - p;
                var click = population.ClickDraw[i] < p;
                if (click)
                {
                    clicked++;
                    experiment.RecordResponse(segment, assignment.Arm);
                }
                var o = population.OpenProbability[i];
                if (click || population.OpenDraw[i] < (o - p) / (1 - p))
                {
                    opens++;
                }
                machine += population.MachineOpen[i] ? 1 : 0;
                unsubscribed += population.UnsubscribeDraw[i] < options.UnsubscribeRate ? 1 : 0;
            }
        }
        // The final word is the whole audience's (a per-segment run picks per segment; score the largest segment's pick).
        var conclusion = Conclude(experiment, population);
        var pickedBest = options.AllEqual || conclusion.Choice == population.BestArm;
        return new RunOutcome(regret, pickedBest, conclusion.WinnerDeclared, n, opens, machine, clicked, unsubscribed);
    }

    private static PolicyConclusion Conclude(BatchedExperiment experiment, Population population)
    {
        var segments = experiment.Segments.ToList();
        if (segments.Count == 1)
        {
            return experiment.Policy(segments[0]).Conclude(experiment.State(segments[0]));
        }
        var conclusions = segments.Select(s => (State: experiment.State(s), Conclusion: experiment.Policy(s).Conclude(experiment.State(s)))).ToList();
        // Per segment: the pick is the arm most of the audience ends on; a winner is declared if any segment declared one.
        var choice = conclusions.GroupBy(c => c.Conclusion.Choice).OrderByDescending(g => g.Sum(c => c.State.Horizon)).First().Key;
        return new PolicyConclusion(choice, conclusions.Any(c => c.Conclusion.WinnerDeclared), "per segment");
    }

    private sealed record RunOutcome(double Regret, bool PickedBest, bool Declared, long Delivered, long HumanOpens, long MachineOpens, long Clicks, long Unsubscribes);

    /// <summary>One simulated audience: per recipient its segment, base rate, send-hour effect and outcome draws.</summary>
    internal sealed class Population
    {
        private float[] _base = [];
        private float[] _uplift = [];

        public int Count { get; private init; }
        public int BestArm { get; private init; }
        public double Effect { get; private init; }
        public double BestArmLift { get; private set; }
        public string[] SegmentNames { get; private init; } = [];
        public byte[] SegmentOf { get; private init; } = [];
        public float[] OpenProbability { get; private init; } = [];
        public float[] ClickDraw { get; private init; } = [];
        public float[] OpenDraw { get; private init; } = [];
        public float[] UnsubscribeDraw { get; private init; } = [];
        public bool[] MachineOpen { get; private init; } = [];

        /// <summary>The true click probability of recipient <paramref name="i"/> on <paramref name="arm"/>.</summary>
        public double ClickProbability(int i, int arm) => arm == BestArm ? _base[i] * (1 + Effect * _uplift[i]) : _base[i];

        public static Population Create(SimulationOptions o, (string Name, double Share, double Rate, double Uplift)[] lifecycles,
            (string Name, double Share, double Rate, double Uplift)[] locales, int seed)
        {
            var random = new Random(seed);
            var n = o.Recipients;
            var names = new List<string>();
            var segmentRate = new List<double>();
            var segmentUplift = new List<double>();
            var segmentShare = new List<double>();
            foreach (var l in lifecycles)
            {
                foreach (var c in locales)
                {
                    names.Add($"{l.Name}|{c.Name}");
                    segmentRate.Add(l.Rate * c.Rate);
                    segmentUplift.Add(l.Uplift * c.Uplift);
                    segmentShare.Add(l.Share * c.Share);
                }
            }
            var segmentOf = new byte[n];
            var hourEffect = new double[n];
            var batch = Math.Max(1, (int)Math.Round(n * 0.01));
            for (var i = 0; i < n; i++)
            {
                var u = random.NextDouble();
                var s = 0;
                while (s < segmentShare.Count - 1 && u >= segmentShare[s])
                {
                    u -= segmentShare[s];
                    s++;
                }
                segmentOf[i] = (byte)s;
                // Active hours cluster around morning, lunch and evening; the send hour follows the batch schedule.
                var active = (new[] { 8.0, 12.5, 20.0 })[random.Next(3)] + 1.5 * Distributions.StandardNormal(random);
                var sendHour = 8 + o.SendWindowHours * (i / batch) * batch / n;
                hourEffect[i] = 1 + 0.3 * Math.Cos(2 * Math.PI * (sendHour - active) / 24);
            }
            // Calibrate: the population's mean click rate on a non-best arm is exactly ClickRate, and the best arm's
            // base-weighted uplift averages Effect.
            double rateSum = 0, upliftSum = 0;
            for (var i = 0; i < n; i++)
            {
                var r = segmentRate[segmentOf[i]] * hourEffect[i];
                rateSum += r;
                upliftSum += r * segmentUplift[segmentOf[i]];
            }
            var rateScale = o.ClickRate * n / rateSum;
            var upliftScale = rateSum / upliftSum;
            var effect = o.AllEqual ? 0 : o.Effect;
            var population = new Population
            {
                Count = n,
                BestArm = random.Next(o.Arms),
                Effect = effect,
                SegmentNames = [.. names],
                SegmentOf = segmentOf,
                OpenProbability = new float[n],
                ClickDraw = new float[n],
                OpenDraw = new float[n],
                UnsubscribeDraw = new float[n],
                MachineOpen = new bool[n],
            };
            population._base = new float[n];
            population._uplift = new float[n];
            double sqrtSum = 0;
            for (var i = 0; i < n; i++)
            {
                sqrtSum += Math.Sqrt(segmentRate[segmentOf[i]] * hourEffect[i] * rateScale / o.ClickRate);
            }
            var openScale = n / sqrtSum;
            double best = 0, other = 0;
            for (var i = 0; i < n; i++)
            {
                var relative = segmentRate[segmentOf[i]] * hourEffect[i] * rateScale / o.ClickRate;
                population._base[i] = (float)(o.ClickRate * relative);
                population._uplift[i] = (float)(segmentUplift[segmentOf[i]] * upliftScale);
                // Opens scale more gently than clicks with engagement: people who read more, click more once open.
                population.OpenProbability[i] = (float)Math.Min(0.95, o.HumanOpenRate * Math.Sqrt(relative) * openScale);
                population.ClickDraw[i] = random.NextSingle();
                population.OpenDraw[i] = random.NextSingle();
                population.UnsubscribeDraw[i] = random.NextSingle();
                population.MachineOpen[i] = random.NextDouble() < o.MachineOpenShare;
                best += population.ClickProbability(i, population.BestArm);
                other += population._base[i];
            }
            population.BestArmLift = best / other - 1;
            return population;
        }
    }
}
