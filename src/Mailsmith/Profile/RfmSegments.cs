namespace Mailsmith.Profile;

/// <summary>
/// The named RFM groups marketers use, from the R, F and M quintile scores. The first matching rule wins; the rules
/// and the grid they draw are in docs/profiles.md, "RFM groups". Customers without orders have no group (null).
/// </summary>
public static class RfmSegments
{
    public const string Champions = "champions";
    public const string Loyal = "loyal";
    public const string PotentialLoyalist = "potential_loyalist";
    public const string New = "new";
    public const string Promising = "promising";
    public const string NeedAttention = "need_attention";
    public const string AboutToSleep = "about_to_sleep";
    public const string AtRisk = "at_risk";
    public const string CantLoseThem = "cant_lose_them";
    public const string Hibernating = "hibernating";
    public const string Lost = "lost";

    /// <summary>Every group id, best first (the order reports list them in).</summary>
    public static IReadOnlyList<string> All { get; } =
        [Champions, Loyal, PotentialLoyalist, New, Promising, NeedAttention, AboutToSleep, AtRisk, CantLoseThem, Hibernating, Lost];

    /// <summary>The display name of a group id ("Can't lose them").</summary>
    public static string DisplayName(string id) => id switch
    {
        Champions => "Champions",
        Loyal => "Loyal",
        PotentialLoyalist => "Potential loyalist",
        New => "New",
        Promising => "Promising",
        NeedAttention => "Need attention",
        AboutToSleep => "About to sleep",
        AtRisk => "At risk",
        CantLoseThem => "Can't lose them",
        Hibernating => "Hibernating",
        Lost => "Lost",
        _ => id,
    };

    /// <summary>
    /// The group of a customer with scores <paramref name="r"/>, <paramref name="f"/>, <paramref name="m"/> (1–5) and
    /// <paramref name="orders"/> orders; null when they have no orders (scores 0).
    /// </summary>
    public static string? Classify(int r, int f, int m, int orders)
    {
        if (orders <= 0 || r <= 0)
        {
            return null;
        }
        // fm: how much the customer has bought, frequency and spend together.
        var fm = (f + m) / 2.0;
        return (r, fm) switch
        {
            ( >= 4, >= 4) => Champions,
            ( <= 1, >= 4) => CantLoseThem,
            ( <= 2, >= 3) => AtRisk,
            ( >= 3, >= 3) => Loyal,
            ( >= 4, _) when orders == 1 => New,
            ( >= 4, _) => PotentialLoyalist,
            (3, _) when orders == 1 => Promising,
            (3, >= 2) => NeedAttention,
            (3, _) => AboutToSleep,
            (2, >= 2) => AboutToSleep,
            (2, _) => Hibernating,
            (_, >= 2) => Hibernating,
            _ => Lost,
        };
    }
}
