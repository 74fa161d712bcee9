using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mailsmith.Learn;
using Mailsmith.Storage;

namespace Mailsmith.Profile;

/// <summary>The outcome of <see cref="ProfileStage.Run"/>.</summary>
/// <param name="UpToDate">True when nothing the profiles read had changed since the stored run, so it was reused.</param>
public sealed record ProfileStageResult(IReadOnlyDictionary<string, CustomerProfile> Profiles, ProfileRunSummary Summary, bool UpToDate, double Seconds);

/// <summary>
/// <c>mailsmith profile</c> as a library call: skips the work when the store and options are unchanged since the last
/// run, otherwise builds every profile and stores the run in one transaction.
/// </summary>
/// <remarks>
/// "Unchanged" is the fingerprint of row counts and latest ids and times of every table the stage reads, the as-of
/// moment and the options (docs/profiles.md, "Storage and incremental runs"). Imports only add rows or replace them
/// in a way that moves a count or an id, so an equal fingerprint means equal input.
/// </remarks>
public static class ProfileStage
{
    /// <summary>The fingerprint of a run over <paramref name="store"/>'s current data at <paramref name="asOf"/> with <paramref name="options"/>.</summary>
    public static string Fingerprint(MailsmithStore store, DateTimeOffset asOf, ProfileOptions options)
    {
        var optionsHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(options))))[..16];
        return $"{store.ProfileDataFingerprint()}|{asOf.ToUnixTimeMilliseconds()}|{optionsHash}";
    }

    /// <summary>Profiles the store as of <paramref name="asOf"/> (reusing the stored run when nothing changed and <paramref name="force"/> is false).</summary>
    /// <param name="snapshot">The store's data, when the caller has loaded it already; loaded here otherwise (and only when needed).</param>
    public static ProfileStageResult Run(MailsmithStore store, ProfileOptions options, DateTimeOffset asOf, DateTimeOffset now,
        StoreSnapshot? snapshot = null, bool force = false, ProfileEnricher.Progress? progress = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var fingerprint = Fingerprint(store, asOf, options);
        if (!force && store.LoadLatestProfileRun() is { } latest && latest.Fingerprint == fingerprint)
        {
            progress?.Invoke("loading the stored profiles (nothing changed)", 0, 0);
            return new ProfileStageResult(store.LoadProfiles(), latest.Summary, UpToDate: true, watch.Elapsed.TotalSeconds);
        }
        progress?.Invoke("reading the store", 0, 0);
        snapshot ??= StoreSnapshot.Load(store, returnMemory: true);
        var engagement = store.LoadProfileEngagement();
        if (options.SendTimeFromOutcomes && store.CountDeliveredSends() > 0)
        {
            // Close the loop with Learn: rebuild what each delivery hour achieved, then let the profile read it.
            progress?.Invoke("send time learned from delivery outcomes", 0, 0);
            SendTimeOutcomes.Refresh(store, now, options.SendTimeOutcomeWindowDays, snapshot.Orders);
            engagement = new ProfileEngagement(engagement.ByCustomer) { DeliveryOutcomes = SendTimeOutcomes.Load(store) };
        }
        var run = new ProfileEnricher(options).Run(snapshot, engagement, asOf, progress, returnMemory: true);
        progress?.Invoke($"saving {run.Profiles.Count:N0} profiles", 0, 0);
        var save = System.Diagnostics.Stopwatch.StartNew();
        store.SaveProfileRun(run, now, fingerprint);
        var timings = new Dictionary<string, double>(run.Summary.Timings, StringComparer.Ordinal) { ["save"] = Math.Round(save.Elapsed.TotalSeconds, 3) };
        return new ProfileStageResult(run.Profiles, run.Summary with { Timings = timings }, UpToDate: false, watch.Elapsed.TotalSeconds);
    }
}
