using System.Globalization;
using System.Text;

namespace Mailsmith.Synthetic;

/// <summary>What happens to a customer over the history. Written to <c>truth.json</c> as given.</summary>
internal static class Fate
{
    public const string Active = "active";
    public const string Churned = "churned";
    public const string New = "new";
    public const string Loyal = "loyal";
}

/// <summary>A generated customer: the visible record plus the hidden preferences that drive every event.</summary>
internal sealed class SyntheticCustomer
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required string Email { get; init; }
    public required string FirstName { get; init; }
    public required string LastName { get; init; }
    public required string Locale { get; init; }
    public required string TimeZoneId { get; init; }
    public required TimeZoneInfo Zone { get; init; }
    public required long SignupAt { get; init; }
    public required DateOnly? Birthday { get; init; }
    public required bool Consent { get; init; }
    public required long? ConsentAt { get; init; }

    /// <summary>Category indexes, strongest first; 1–3 of them.</summary>
    public required int[] AffinityCategories { get; init; }
    /// <summary>Weights matching <see cref="AffinityCategories"/>, summing to 1 (rounded to 3 decimals).</summary>
    public required double[] AffinityWeights { get; init; }
    /// <summary>0 prefers premium items, 1 prefers budget ones.</summary>
    public required double PriceSensitivity { get; init; }
    /// <summary>0–1: chance of using a discount code, and how much promotions raise activity.</summary>
    public required double DiscountSensitivity { get; init; }
    /// <summary>Peak hour 0–23 in the customer's local time.</summary>
    public required int ActiveHour { get; init; }
    public required double PurchaseCycleDays { get; init; }
    public required string Fate { get; init; }
    /// <summary>Unix seconds after which the customer does nothing (churn, or <see cref="GeneratorOptions.End"/>).</summary>
    public required long ActivityEnd { get; init; }
    /// <summary>When set, the customer's last act is filling a cart at this moment and leaving it.</summary>
    public required long? AbandonAt { get; init; }
    /// <summary>The customer's own random stream: attributes first, then behaviour.</summary>
    public required Random Rng { get; init; }
}

/// <summary>
/// Builds customers with hidden preferences. Locales are mostly en-US and zh-CN with a few fr/de/ja to exercise
/// fallbacks; time zones follow the locale; names come from the vocabulary's per-locale lists.
/// </summary>
internal sealed class CustomerBuilder(SyntheticVocabulary vocabulary, SyntheticCatalog catalog, int seed, long start, long end)
{
    private const long Day = 86_400;
    private static readonly string[] s_domains = ["example.com", "example.net", "example.org", "mail.example", "shop.example.org"];

    // (locale, cumulative share); the rest are en-US.
    private static readonly (string Locale, double Share)[] s_locales =
        [("zh-CN", 0.39), ("fr-FR", 0.02), ("de-DE", 0.02), ("ja-JP", 0.015)];

    private static readonly (string Zone, double Weight)[] s_usZones =
        [("America/New_York", 0.40), ("America/Chicago", 0.22), ("America/Denver", 0.06), ("America/Los_Angeles", 0.27), ("Europe/London", 0.05)];

    private static readonly (string Zone, double Weight)[] s_zhZones =
        [("Asia/Shanghai", 0.92), ("Asia/Singapore", 0.04), ("America/Los_Angeles", 0.04)];

    private readonly Dictionary<string, TimeZoneInfo> _zones = new(StringComparer.Ordinal);
    private readonly HashSet<string> _emails = new(StringComparer.Ordinal);

    public List<SyntheticCustomer> Build(int count)
    {
        var width = Math.Max(5, count.ToString(CultureInfo.InvariantCulture).Length);
        var customers = new List<SyntheticCustomer>(count);
        for (var i = 0; i < count; i++)
        {
            customers.Add(BuildOne(i, "C" + (i + 1).ToString("D" + width, CultureInfo.InvariantCulture)));
        }
        return customers;
    }

    private SyntheticCustomer BuildOne(int index, string id)
    {
        var rng = new Random(Draw.StreamSeed(seed, 2, index));
        var locale = PickLocale(rng);
        var zoneId = locale switch
        {
            "zh-CN" => PickWeighted(rng, s_zhZones),
            "fr-FR" => "Europe/Paris",
            "de-DE" => "Europe/Berlin",
            "ja-JP" => "Asia/Tokyo",
            _ => PickWeighted(rng, s_usZones),
        };
        var names = vocabulary.Names.TryGetValue(locale, out var list) ? list : vocabulary.Names["en-US"];
        var first = rng.Pick(names.First);
        var last = rng.Pick(names.Last);
        var email = UniqueEmail(rng, locale, first, last);

        var fateDraw = rng.NextDouble();
        var fate = fateDraw < 0.06 ? Fate.New : fateDraw < 0.10 ? Fate.Loyal : fateDraw < 0.28 ? Fate.Churned : Fate.Active;

        var earliestSignup = start - (180 * Day);
        long signup, activityEnd = end;
        switch (fate)
        {
            case Fate.New:
                signup = end - (long)rng.Uniform(1 * 3600, 14 * Day);
                break;
            case Fate.Loyal:
                signup = (long)rng.Uniform(earliestSignup, start + (60 * Day));
                break;
            case Fate.Churned:
                activityEnd = end - (long)rng.Uniform(60 * Day, 180 * Day);
                signup = (long)rng.Uniform(earliestSignup, Math.Max(earliestSignup + Day, activityEnd - (45 * Day)));
                break;
            default:
                signup = (long)rng.Uniform(earliestSignup, end - (21 * Day));
                break;
        }

        var consent = !rng.Chance(0.04);
        long? consentAt = null;
        if (consent)
        {
            // Most tick the box at signup; some opt in later from a newsletter prompt.
            consentAt = rng.Chance(0.85) ? signup + rng.Next(5, 600) : Math.Min(end - 60, signup + (long)rng.Uniform(Day, 60 * Day));
        }
        DateOnly? birthday = rng.Chance(0.85)
            ? new DateOnly(rng.Next(1958, 2007), 1, 1).AddDays(rng.Next(365))
            : null;

        var (categories, weights) = PickAffinity(rng, locale);
        var priceSensitivity = fate == Fate.Loyal ? rng.Uniform(0, 0.4) : rng.NextDouble();
        var discountSensitivity = Math.Pow(rng.NextDouble(), 1.3);
        var hourDraw = rng.NextDouble();
        var activeHour = hourDraw < 0.3 ? rng.Next(7, 10) : hourDraw < 0.5 ? rng.Next(12, 14) : rng.Next(19, 23);
        var cycle = fate switch
        {
            Fate.Loyal => rng.Uniform(10, 20),
            Fate.New => rng.Uniform(20, 45),
            Fate.Churned => rng.Uniform(20, 55),
            _ => rng.Uniform(18, 60),
        };

        long? abandonAt = null;
        if (fate != Fate.Churned && rng.Chance(fate == Fate.New ? 0.15 : 0.06))
        {
            abandonAt = end - (long)rng.Uniform(2 * 3600, 70 * 3600);
            if (abandonAt <= signup + 600)
            {
                abandonAt = null;
            }
        }

        return new SyntheticCustomer
        {
            Index = index,
            Id = id,
            Email = email,
            FirstName = first.En,
            LastName = last.En,
            Locale = locale,
            TimeZoneId = zoneId,
            Zone = Zone(zoneId),
            SignupAt = signup,
            Birthday = birthday,
            Consent = consent,
            ConsentAt = consentAt,
            AffinityCategories = categories,
            AffinityWeights = weights,
            PriceSensitivity = Draw.Round3(priceSensitivity),
            DiscountSensitivity = Draw.Round3(discountSensitivity),
            ActiveHour = activeHour,
            PurchaseCycleDays = Math.Round(cycle, 1, MidpointRounding.AwayFromZero),
            Fate = fate,
            ActivityEnd = activityEnd,
            AbandonAt = abandonAt,
            Rng = rng,
        };
    }

    private (int[] Categories, double[] Weights) PickAffinity(Random rng, string locale)
    {
        var categories = catalog.Categories;
        var countDraw = rng.NextDouble();
        var k = Math.Min(categories.Count, countDraw < 0.35 ? 1 : countDraw < 0.75 ? 2 : 3);
        Span<double> popularity = stackalloc double[categories.Count];
        for (var c = 0; c < categories.Count; c++)
        {
            popularity[c] = categories[c].PopularityFor(locale);
        }
        var picked = new int[k];
        picked[0] = rng.Weighted(popularity);
        Span<double> w = stackalloc double[categories.Count];
        for (var i = 1; i < k; i++)
        {
            // Interests cluster: a second or third category is often a sibling of the first (coffee and cookware).
            for (var c = 0; c < categories.Count; c++)
            {
                var taken = picked.AsSpan(0, i).Contains(c);
                w[c] = taken ? 0 : popularity[c] * (categories[c].Group == categories[picked[0]].Group ? 6 : 1);
            }
            picked[i] = rng.Weighted(w);
        }

        var weights = new double[k];
        switch (k)
        {
            case 1:
                weights[0] = 1;
                break;
            case 2:
                weights[0] = Draw.Round3(rng.Uniform(0.55, 0.85));
                weights[1] = Draw.Round3(1 - weights[0]);
                break;
            default:
                weights[0] = Draw.Round3(rng.Uniform(0.45, 0.75));
                weights[1] = Draw.Round3((1 - weights[0]) * rng.Uniform(0.55, 0.75));
                weights[2] = Draw.Round3(1 - weights[0] - weights[1]);
                break;
        }
        return (picked, weights);
    }

    private static string PickLocale(Random rng)
    {
        var x = rng.NextDouble();
        foreach (var (locale, share) in s_locales)
        {
            if (x < share)
            {
                return locale;
            }
            x -= share;
        }
        return "en-US";
    }

    private static string PickWeighted(Random rng, (string Zone, double Weight)[] options)
    {
        Span<double> w = stackalloc double[options.Length];
        for (var i = 0; i < options.Length; i++)
        {
            w[i] = options[i].Weight;
        }
        return options[rng.Weighted(w)].Zone;
    }

    private TimeZoneInfo Zone(string id)
    {
        if (!_zones.TryGetValue(id, out var zone))
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            _zones[id] = zone;
        }
        return zone;
    }

    private string UniqueEmail(Random rng, string locale, Phrase first, Phrase last)
    {
        // Names from lists in scripts other than Latin carry their romanization after the bar.
        var f = Ascii(first.En == first.Zh ? first.En : first.Zh);
        var l = Ascii(last.En == last.Zh ? last.En : last.Zh);
        var style = rng.Next(5);
        var local = locale is "zh-CN" or "ja-JP"
            ? style switch
            {
                0 => l + f,
                1 => f + "." + l,
                2 => l + f + rng.Next(70, 100).ToString(CultureInfo.InvariantCulture),
                3 => f + l + rng.Next(1, 999).ToString(CultureInfo.InvariantCulture),
                _ => l + "_" + f,
            }
            : style switch
            {
                0 => f + "." + l,
                1 => f[0] + l,
                2 => f + l + rng.Next(1, 99).ToString(CultureInfo.InvariantCulture),
                3 => f + "_" + l,
                _ => l + "." + f,
            };
        var domain = rng.Pick(s_domains);
        var email = local + "@" + domain;
        for (var n = 2; !_emails.Add(email); n++)
        {
            email = local + n.ToString(CultureInfo.InvariantCulture) + "@" + domain;
        }
        return email;
    }

    /// <summary>Lower-case ASCII letters only: umlauts spelled out, other accents dropped.</summary>
    private static string Ascii(string name)
    {
        var spelled = name.Replace("ä", "ae", StringComparison.Ordinal).Replace("ö", "oe", StringComparison.Ordinal)
            .Replace("ü", "ue", StringComparison.Ordinal).Replace("ß", "ss", StringComparison.Ordinal)
            .Replace("Ä", "Ae", StringComparison.Ordinal).Replace("Ö", "Oe", StringComparison.Ordinal).Replace("Ü", "Ue", StringComparison.Ordinal);
        var sb = new StringBuilder(spelled.Length);
        foreach (var c in spelled.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetter(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }
        return sb.ToString();
    }
}
