using Mailsmith.Profile;

namespace Mailsmith.Compose;

/// <summary>The slots an email is written from, in the order they are written.</summary>
internal static class SlotNames
{
    public const int Subject = 0;
    public const int Preheader = 1;
    public const int Greeting = 2;
    public const int Opening = 3;
    public const int Body = 4;
    public const int Closing = 5;
    public const int Cta = 6;
    public const int Signoff = 7;
    public const int FooterWhy = 8;
    public const int FooterUnsubscribe = 9;
    public const int ProductButton = 10;
    public const int ReasonInCart = 11;
    public const int ReasonViewed = 12;
    public const int ReasonBoughtWith = 13;
    public const int ReasonPopularIn = 14;
    public const int ReasonPopular = 15;
    public const int ReasonExplore = 16;
    /// <summary>Optional paragraph stating the plan's offer (only when there is one).</summary>
    public const int Offer = 17;
    /// <summary>Optional paragraph introducing a real review quote (only when the plan has one).</summary>
    public const int Proof = 18;
    public const int ReasonSimilarTo = 19;
    public const int ReasonNewInFavourite = 20;
    public const int ReasonTrending = 21;
    public const int ReasonPopularWithSimilar = 22;

    public static readonly string[] All =
    [
        "subject", "preheader", "greeting", "opening", "body", "closing", "cta", "signoff",
        "footer.why", "footer.unsubscribe", "product.button",
        "reason.in_cart", "reason.viewed", "reason.bought_with", "reason.popular_in", "reason.popular",
        "reason.explore", "offer", "proof", "reason.similar_to", "reason.new_in_favourite",
        "reason.trending", "reason.popular_with_similar",
    ];

    /// <summary>Slots that may be missing everywhere or hold an empty variant: the email then has no such paragraph.</summary>
    public static bool IsOptional(int slot) => slot is Closing or Offer or Proof;

    public static int? IdOf(string name)
    {
        var index = Array.IndexOf(All, name);
        return index >= 0 ? index : null;
    }

    /// <summary>The slot that words a recommendation reason kind, or null for a kind this version does not know.</summary>
    public static int? ForReason(string kind) => kind switch
    {
        Recommend.ReasonKind.InCart => ReasonInCart,
        Recommend.ReasonKind.Viewed => ReasonViewed,
        Recommend.ReasonKind.BoughtWith => ReasonBoughtWith,
        Recommend.ReasonKind.PopularIn => ReasonPopularIn,
        Recommend.ReasonKind.Popular => ReasonPopular,
        Recommend.ReasonKind.Explore => ReasonExplore,
        Recommend.ReasonKind.SimilarTo => ReasonSimilarTo,
        Recommend.ReasonKind.NewInFavourite => ReasonNewInFavourite,
        Recommend.ReasonKind.Trending => ReasonTrending,
        Recommend.ReasonKind.PopularWithSimilar => ReasonPopularWithSimilar,
        _ => null,
    };
}

/// <summary>What a phrase condition can test about a recipient, computed once per email.</summary>
internal readonly record struct RecipientFacts(
    string Lifecycle,
    string PriceSensitivity,
    string? Daypart,
    string Orders,
    bool HasName,
    string Variant,
    string DiscountSensitivity = "mid",
    string Frame = Frames.Neutral,
    string Season = "",
    string Category = "",
    bool HasOffer = false,
    bool HasCode = false);

/// <summary>Condition values and the thresholds behind them (documented in docs/compose.md).</summary>
internal static class Facts
{
    public const double HighSensitivity = 0.6;
    public const double LowSensitivity = 0.4;

    public static readonly string[] Sensitivities = ["high", "mid", "low"];
    public static readonly string[] Dayparts = ["morning", "afternoon", "evening", "night"];
    public static readonly string[] OrderCounts = ["none", "one", "repeat"];
    public static readonly string[] FrameNames = [Frames.Value, Frames.Quality, Frames.Neutral];
    public static readonly string[] Seasons = ["spring", "summer", "autumn", "winter"];

    /// <summary>Northern-hemisphere meteorological season of a date: Mar–May spring, Jun–Aug summer, Sep–Nov autumn, Dec–Feb winter.</summary>
    public static string SeasonOf(DateTimeOffset date) => date.Month switch
    {
        3 or 4 or 5 => "spring",
        6 or 7 or 8 => "summer",
        9 or 10 or 11 => "autumn",
        _ => "winter",
    };

    public static string SensitivityOf(double value) => value >= HighSensitivity ? "high" : value < LowSensitivity ? "low" : "mid";

    /// <summary>Morning 5–11, afternoon 12–16, evening 17–21, night 22–4, of the customer's most active local hour.</summary>
    public static string? DaypartOf(int? hour) => hour switch
    {
        null => null,
        >= 5 and <= 11 => "morning",
        >= 12 and <= 16 => "afternoon",
        >= 17 and <= 21 => "evening",
        _ => "night",
    };

    public static string OrdersOf(int frequency) => frequency switch
    {
        <= 0 => "none",
        1 => "one",
        _ => "repeat",
    };

    public static IReadOnlyList<string> Lifecycles => Lifecycle.All;
}

/// <summary>A variant's <c>when</c>: every stated key must hold (a list means any of its values).</summary>
internal sealed class PhraseCondition
{
    public static readonly PhraseCondition Always = new();

    public string[]? Lifecycle { get; init; }
    public string[]? PriceSensitivity { get; init; }
    public string[]? Daypart { get; init; }
    public string[]? Orders { get; init; }
    public string[]? Variant { get; init; }
    public bool? HasName { get; init; }
    public bool? FirstOrder { get; init; }
    public string[]? DiscountSensitivity { get; init; }
    public string[]? Frame { get; init; }
    public string[]? Season { get; init; }
    public string[]? Category { get; init; }
    public bool? HasOffer { get; init; }
    public bool? HasCode { get; init; }

    /// <summary>How many keys are stated; a more specific variant is drawn more often (weight × (1 + count)).</summary>
    public int Count { get; init; }

    public bool Holds(in RecipientFacts facts) =>
        Matches(Lifecycle, facts.Lifecycle)
        && Matches(PriceSensitivity, facts.PriceSensitivity)
        && (Daypart is null || (facts.Daypart is not null && Matches(Daypart, facts.Daypart)))
        && Matches(Orders, facts.Orders)
        && Matches(Variant, facts.Variant)
        && (HasName is null || HasName == facts.HasName)
        && (FirstOrder is null || FirstOrder == (facts.Orders == "none"))
        && Matches(DiscountSensitivity, facts.DiscountSensitivity)
        && Matches(Frame, facts.Frame)
        && Matches(Season, facts.Season)
        && (Category is null || MatchesIgnoreCase(Category, facts.Category))
        && (HasOffer is null || HasOffer == facts.HasOffer)
        && (HasCode is null || HasCode == facts.HasCode);

    private static bool MatchesIgnoreCase(string[] allowed, string value)
    {
        foreach (var item in allowed)
        {
            if (string.Equals(item, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Matches(string[]? allowed, string value)
    {
        if (allowed is null)
        {
            return true;
        }
        foreach (var item in allowed)
        {
            if (string.Equals(item, value, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>One way of wording a slot.</summary>
/// <param name="Id">Stable id for analysis: the file's own <c>id</c>, or <c>locale:campaign:slot:index</c>.</param>
/// <param name="Weight">Draw weight, already multiplied by the condition's specificity.</param>
/// <param name="Tags">Free labels such as <c>value</c> or <c>quality</c> (framing), reported in <see cref="EmailDraft.Choices"/>.</param>
internal sealed record PhraseVariant(string Id, PhraseTemplate Text, PhraseCondition When, double Weight, string[] Tags);

/// <summary>All variants of one slot from one file.</summary>
internal sealed class PhraseSlot
{
    public PhraseSlot(string name, string key, PhraseVariant[] variants, PhraseLanguage language, string locale)
    {
        Name = name;
        Key = key;
        Variants = variants;
        VariantIds = Array.ConvertAll(variants, v => v.Id);
        Language = language;
        Locale = locale;
        // Stable across processes (unlike string.GetHashCode) so a seed gives the same words on every machine.
        Hash = EmailComposer.StableHash(name);
    }

    public string Name { get; }
    /// <summary>Where it was defined, e.g. <c>en-US.json campaigns.welcome.subject</c>.</summary>
    public string Key { get; }
    public PhraseVariant[] Variants { get; }
    /// <summary>The variants' ids in file order, once: the key Learn's slot weights are asked with.</summary>
    public string[] VariantIds { get; }
    public PhraseLanguage Language { get; }
    public string Locale { get; }
    public ulong Hash { get; }
}
