using Mailsmith.Profile.Segments;
using Mailsmith.Storage;

namespace Mailsmith.Pipeline;

/// <summary>How campaigns target saved segments: resolving a rule's <c>segment=NAME</c> clauses, and guarding deletes.</summary>
public static class SegmentTargeting
{
    /// <summary>
    /// Resolves segment names through <paramref name="store"/> and compiles them in <paramref name="context"/>. A category or
    /// brand that has left the catalog since the segment was saved matches nobody rather than failing the campaign.
    /// </summary>
    public static Func<string, SegmentExpression> Resolver(MailsmithStore store, SegmentContext context)
    {
        var catalog = new SegmentCatalog(store);
        var lenient = context with { CheckNames = false };
        return name => SegmentExpression.Compile(catalog.Get(name).Expression, lenient);
    }

    /// <summary>Campaigns whose audience names segment <paramref name="name"/>.</summary>
    public static IReadOnlyList<Campaign> CampaignsUsing(MailsmithStore store, string name) =>
        store.ListCampaigns().Where(c => Audience.SegmentNames(c.Audience).Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>Deletes a segment unless a campaign targets it (a later compose or retry of that campaign would fail), or <paramref name="force"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such segment.</exception>
    /// <exception cref="ArgumentException">Campaigns target it and <paramref name="force"/> is false; the message lists them.</exception>
    public static void Delete(MailsmithStore store, string name, bool force = false)
    {
        var catalog = new SegmentCatalog(store);
        var segment = catalog.Get(name);
        var users = CampaignsUsing(store, segment.Name);
        if (users.Count > 0 && !force)
        {
            throw new ArgumentException($"segment '{segment.Name}' is the audience of {string.Join(", ", users.Select(c => c.CampaignId))}: a later compose of those would fail (use --force to delete it anyway)", nameof(name));
        }
        catalog.Delete(segment.Name);
    }
}
