using Mailsmith.Compose;
using Mailsmith.Profile;
using Mailsmith.Profile.Segments;
using Mailsmith.Storage;

namespace Mailsmith.Pipeline;

/// <summary>
/// Who a campaign addresses. A rule is <c>default</c> (the campaign type's own audience), <c>all</c>, or clauses
/// joined by <c>;</c>, each <c>field=value[,value…]</c> with field <c>lifecycle</c>, <c>locale</c>, <c>price_band</c>
/// or <c>category</c> (a top category of the profile), or <c>segment</c> (a saved segment, docs/segments.md); clauses must all hold.
/// </summary>
/// <remarks>A segment clause is resolved to the segment's expression when the rule is parsed, so a campaign composed later
/// selects the segment's members as of its own run: the campaign stores the segment's name, not a list of members.</remarks>
/// <remarks>Consent and unsubscribes are not audience questions: ineligible members are recorded as suppressed sends.</remarks>
public sealed class Audience
{
    private readonly List<(string Field, HashSet<string> Values)> _clauses;
    private readonly List<SegmentExpression> _segments;

    private Audience(string rule, List<(string, HashSet<string>)> clauses, bool isDefault, List<SegmentExpression>? segments = null)
    {
        Rule = rule;
        _clauses = clauses;
        IsDefault = isDefault;
        _segments = segments ?? [];
    }

    public string Rule { get; }

    public bool IsDefault { get; }

    private static readonly string[] Fields = ["lifecycle", "locale", "price_band", "category", "segment"];

    /// <summary>Parses an audience rule.</summary>
    /// <param name="segments">Resolves a segment name to its compiled expression (see <see cref="SegmentTargeting.Resolver"/>);
    /// needed only when the rule has a <c>segment</c> clause.</param>
    /// <exception cref="FormatException">The rule names an unknown field or has no values; the message says which.</exception>
    /// <exception cref="KeyNotFoundException">A segment clause names a segment that does not exist.</exception>
    public static Audience Parse(string? rule, Func<string, SegmentExpression>? segments = null)
    {
        rule = string.IsNullOrWhiteSpace(rule) ? "default" : rule.Trim();
        if (rule is "default" or "all")
        {
            return new Audience(rule, [], rule == "default");
        }
        var clauses = new List<(string, HashSet<string>)>();
        var compiled = new List<SegmentExpression>();
        foreach (var clause in rule.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = clause.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"audience clause '{clause}': expected field=value[,value…]");
            }
            var field = clause[..eq].Trim().ToLowerInvariant();
            if (!Fields.Contains(field))
            {
                throw new FormatException($"audience clause '{clause}': unknown field '{field}' (known: {string.Join(", ", Fields)})");
            }
            var values = clause[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (values.Count == 0)
            {
                throw new FormatException($"audience clause '{clause}': no values");
            }
            if (field == "lifecycle" && values.FirstOrDefault(v => !Lifecycle.All.Contains(v)) is { } bad)
            {
                throw new FormatException($"audience clause '{clause}': unknown lifecycle '{bad}' (known: {string.Join(", ", Lifecycle.All)})");
            }
            if (field == "segment")
            {
                if (values.Count != 1)
                {
                    throw new FormatException($"audience clause '{clause}': name one segment per clause (clauses must all hold)");
                }
                if (segments is null)
                {
                    throw new FormatException($"audience clause '{clause}': a segment is resolved through the store, and none was given");
                }
                compiled.Add(segments(values.First()));
                continue;
            }
            clauses.Add((field, values));
        }
        return new Audience(rule, clauses, false, compiled);
    }

    /// <summary>The segment names a rule's <c>segment</c> clauses give (no store needed).</summary>
    public static IReadOnlyList<string> SegmentNames(string? rule) =>
        string.IsNullOrWhiteSpace(rule) ? [] :
        rule.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2 && p[0].Equals("segment", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1])
            .ToList();

    /// <summary><paramref name="rule"/> narrowed to the members of segment <paramref name="segment"/> (a segment replaces the type's default audience).</summary>
    public static string WithSegment(string? rule, string segment) =>
        string.IsNullOrWhiteSpace(rule) || rule.Trim() is "default" or "all" ? $"segment={segment}" : $"{rule.Trim()};segment={segment}";

    /// <summary>Whether the customer belongs, given the campaign type and the facts <see cref="AudienceFacts"/> knows.</summary>
    public bool Includes(string campaignType, Customer customer, CustomerProfile profile, AudienceFacts facts)
    {
        if (IsDefault)
        {
            return campaignType switch
            {
                CampaignTypes.Welcome => customer.SignupAt is { } signup && signup > facts.AsOf.AddDays(-facts.Options.WelcomeWindowDays) && signup <= facts.AsOf
                    && !facts.AlreadyWelcomed(customer.CustomerId),
                CampaignTypes.AbandonedCart => facts.HasAbandonedCart(customer.CustomerId),
                CampaignTypes.Winback => profile.Frequency > 0 && profile.Lifecycle is Lifecycle.AtRisk or Lifecycle.Lapsed,
                _ => true,
            };
        }
        foreach (var (field, values) in _clauses)
        {
            var holds = field switch
            {
                "lifecycle" => values.Contains(profile.Lifecycle),
                "locale" => values.Contains(customer.Locale),
                "price_band" => values.Contains(profile.PriceBand),
                "category" => profile.TopCategories.Any(values.Contains),
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }
        if (_segments.Count > 0)
        {
            var row = new SegmentRow(customer, profile);
            foreach (var segment in _segments)
            {
                if (!segment.Predicate(row))
                {
                    return false;
                }
            }
        }
        return true;
    }
}

/// <summary>Facts about the store that default audiences need, computed once per campaign run.</summary>
public sealed class AudienceFacts
{
    private readonly HashSet<string> _abandonedCarts;
    private readonly IReadOnlySet<string> _welcomed;

    /// <param name="welcomed">Customers already sent a welcome by another campaign: a welcome goes out once.</param>
    public AudienceFacts(StoreSnapshot snapshot, DateTimeOffset asOf, CampaignOptions options, IReadOnlySet<string>? welcomed = null)
    {
        AsOf = asOf;
        Options = options;
        _abandonedCarts = AbandonedCarts(snapshot, asOf, TimeSpan.FromHours(options.AbandonedCartHours));
        _welcomed = welcomed ?? new HashSet<string>();
    }

    public DateTimeOffset AsOf { get; }

    public CampaignOptions Options { get; }

    public bool HasAbandonedCart(string customerId) => _abandonedCarts.Contains(customerId);

    public bool AlreadyWelcomed(string customerId) => _welcomed.Contains(customerId);

    /// <summary>
    /// Customers with a product added to the cart within <paramref name="window"/> before <paramref name="asOf"/> that
    /// was neither removed nor bought afterwards.
    /// </summary>
    public static HashSet<string> AbandonedCarts(StoreSnapshot snapshot, DateTimeOffset asOf, TimeSpan window)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var since = asOf - window;
        foreach (var customerId in snapshot.Events.CustomerIds)
        {
            var events = snapshot.EventsOf(customerId);
            var open = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in events)
            {
                if (e.OccurredAt > asOf || e.ProductId is null)
                {
                    continue;
                }
                switch (e.Type)
                {
                    case EventTypes.AddToCart when e.OccurredAt >= since:
                        open.Add(e.ProductId);
                        break;
                    case EventTypes.RemoveFromCart or EventTypes.Purchase:
                        open.Remove(e.ProductId);
                        break;
                }
            }
            if (open.Count > 0)
            {
                result.Add(customerId);
            }
        }
        return result;
    }
}
