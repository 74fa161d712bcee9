using System.Diagnostics;
using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Pipeline;

/// <summary>How long a stage took and how many things it handled.</summary>
public sealed record StageTiming(string Stage, double Seconds, long Count);

/// <summary>Progress of a long pipeline step: <paramref name="Done"/> of <paramref name="Total"/> (0 when unknown).</summary>
public sealed record PipelineProgress(string Stage, string Message, long Done, long Total);

/// <summary>
/// The shared, read-only state of one pipeline run: the store's data, the profiles and the fitted recommenders.
/// Built once by <see cref="Prepare"/> and reused by every campaign composed in the run.
/// </summary>
public sealed class PipelineContext
{
    private PipelineContext(StoreSnapshot snapshot, DateTimeOffset asOf, IReadOnlyDictionary<string, CustomerProfile> profiles, RecommendationService recommendations, IReadOnlyList<StageTiming> timings)
    {
        Snapshot = snapshot;
        AsOf = asOf;
        Profiles = profiles;
        Recommendations = recommendations;
        Timings = timings;
    }

    public StoreSnapshot Snapshot { get; }

    /// <summary>"Now" for this run: the latest moment in the store's data unless given, so results do not drift with the clock.</summary>
    public DateTimeOffset AsOf { get; }

    public IReadOnlyDictionary<string, CustomerProfile> Profiles { get; }

    public RecommendationService Recommendations { get; }

    /// <summary>Timings of the load, profile and recommend stages.</summary>
    public IReadOnlyList<StageTiming> Timings { get; }

    /// <summary>Loads the store, builds and saves profiles (unless <paramref name="saveProfiles"/> is false: a read-only
    /// use such as re-rendering a sent message), and fits the recommenders.</summary>
    public static PipelineContext Prepare(MailsmithStore store, MailsmithSettings settings, DateTimeOffset? asOf = null, IProgress<PipelineProgress>? progress = null, TimeProvider? time = null, bool saveProfiles = true)
    {
        time ??= TimeProvider.System;
        var timings = new List<StageTiming>();
        var watch = Stopwatch.StartNew();
        progress?.Report(new PipelineProgress("load", "reading the store", 0, 0));
        var snapshot = StoreSnapshot.Load(store);
        timings.Add(new StageTiming("load", watch.Elapsed.TotalSeconds, snapshot.Customers.Count + snapshot.Products.Count + snapshot.Orders.Count + snapshot.Events.Count));
        var at = asOf ?? store.LatestActivity() ?? time.GetUtcNow();

        watch.Restart();
        progress?.Report(new PipelineProgress("profile", $"profiling {snapshot.Customers.Count:N0} customers", 0, snapshot.Customers.Count));
        // The full profile stage (CLV, groups, clusters, preferences, send time); a read-only use builds without storing.
        var profiles = saveProfiles
            ? ProfileStage.Run(store, settings.Profile, at, time.GetUtcNow(), snapshot,
                progress: (step, done, total) => progress?.Report(new PipelineProgress("profile", step, done, total))).Profiles
            : new ProfileEnricher(settings.Profile).Run(snapshot, store.LoadProfileEngagement(), at).Profiles;
        timings.Add(new StageTiming("profile", watch.Elapsed.TotalSeconds, profiles.Count));

        watch.Restart();
        progress?.Report(new PipelineProgress("recommend", $"fitting recommenders on {snapshot.Events.Count:N0} events", 0, 0));
        var recommendations = new RecommendationService(settings.Recommend);
        recommendations.Fit(snapshot, at, profiles);
        timings.Add(new StageTiming("recommend", watch.Elapsed.TotalSeconds, snapshot.Products.Count));

        return new PipelineContext(snapshot, at, profiles, recommendations, timings);
    }
}
