namespace Mailsmith.Storage;

// The typed records every stage sees. Rows become these in the Storage folder and nowhere else.
// Timestamps are UTC DateTimeOffset; money is decimal in the row's own currency.

/// <summary>A store customer, as imported.</summary>
public sealed record Customer(
    string CustomerId,
    string Email,
    string? FirstName,
    string? LastName,
    string Locale,
    string? TimeZone,
    DateTimeOffset? SignupAt,
    DateOnly? Birthday,
    bool Consent,
    DateTimeOffset? ConsentAt,
    DateTimeOffset? UnsubscribedAt = null)
{
    // Storage (docs/benchmarks.md, "Profile memory, 4 December"): a snapshot holds every customer at once, so each
    // optional instant is kept as UTC ticks (long.MinValue for null) and an offset in minutes instead of a
    // DateTimeOffset? (24 bytes: the flag pads it), and the birthday as a day number. The properties return exactly what
    // was set, offset included; equality is that of the properties, as a record's would be.
    private readonly long _signupTicks = Ticks(SignupAt);
    private readonly long _consentTicks = Ticks(ConsentAt);
    private readonly long _unsubscribedTicks = Ticks(UnsubscribedAt);
    private readonly short _signupOffset = Offset(SignupAt);
    private readonly short _consentOffset = Offset(ConsentAt);
    private readonly short _unsubscribedOffset = Offset(UnsubscribedAt);
    private readonly int _birthday = Birthday?.DayNumber ?? int.MinValue;

    public DateTimeOffset? SignupAt { get => Time(_signupTicks, _signupOffset); init => (_signupTicks, _signupOffset) = (Ticks(value), Offset(value)); }

    public DateOnly? Birthday { get => _birthday == int.MinValue ? null : DateOnly.FromDayNumber(_birthday); init => _birthday = value?.DayNumber ?? int.MinValue; }

    public DateTimeOffset? ConsentAt { get => Time(_consentTicks, _consentOffset); init => (_consentTicks, _consentOffset) = (Ticks(value), Offset(value)); }

    public DateTimeOffset? UnsubscribedAt { get => Time(_unsubscribedTicks, _unsubscribedOffset); init => (_unsubscribedTicks, _unsubscribedOffset) = (Ticks(value), Offset(value)); }

    public bool Equals(Customer? other) =>
        ReferenceEquals(this, other) || (other is not null
            && CustomerId == other.CustomerId && Email == other.Email && FirstName == other.FirstName && LastName == other.LastName
            && Locale == other.Locale && TimeZone == other.TimeZone && SignupAt == other.SignupAt && Birthday == other.Birthday
            && Consent == other.Consent && ConsentAt == other.ConsentAt && UnsubscribedAt == other.UnsubscribedAt);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(CustomerId);
        hash.Add(Email);
        hash.Add(FirstName);
        hash.Add(LastName);
        hash.Add(Locale);
        hash.Add(TimeZone);
        hash.Add(SignupAt);
        hash.Add(Birthday);
        hash.Add(Consent);
        hash.Add(ConsentAt);
        hash.Add(UnsubscribedAt);
        return hash.ToHashCode();
    }

    private static long Ticks(DateTimeOffset? value) => value?.UtcTicks ?? long.MinValue;

    // Offsets are whole minutes within ±14 hours (DateTimeOffset's own rule), so a short holds any.
    private static short Offset(DateTimeOffset? value) => (short)(value?.Offset.TotalMinutes ?? 0);

    private static DateTimeOffset? Time(long utcTicks, short offsetMinutes)
    {
        if (utcTicks == long.MinValue)
        {
            return null;
        }
        var offset = TimeSpan.FromMinutes(offsetMinutes);
        return new DateTimeOffset(utcTicks + offset.Ticks, offset);
    }
}

/// <summary>Title and description of a product in one locale.</summary>
public sealed record LocalizedText(string Title, string? Description);

/// <summary>A catalog product. <see cref="Category"/> is a <c>&gt;</c>-separated path, e.g. <c>Home &gt; Kitchen &gt; Knives</c>.</summary>
public sealed record Product(
    string ProductId,
    string Title,
    string? Description,
    string Category,
    string? Brand,
    decimal Price,
    string Currency,
    bool InStock,
    string? ImageUrl,
    string? Url,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, LocalizedText> Localized)
{
    /// <summary>The top-level category (the first segment of the path).</summary>
    public string TopCategory => Category.Split('>', 2)[0].Trim();

    /// <summary>Title and description in <paramref name="locale"/>, falling back to the language, then to the base text.</summary>
    public LocalizedText TextFor(string locale)
    {
        if (Localized.TryGetValue(locale, out var text))
        {
            return text;
        }
        var language = locale.Split('-', 2)[0];
        foreach (var (key, value) in Localized)
        {
            if (key.Split('-', 2)[0].Equals(language, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return new LocalizedText(Title, Description);
    }
}

/// <summary>An order header.</summary>
public sealed record Order(
    string OrderId,
    string CustomerId,
    DateTimeOffset OrderedAt,
    decimal? Total,
    string? Currency,
    string? DiscountCode,
    decimal? DiscountAmount);

/// <summary>One product line of an order.</summary>
public sealed record OrderLine(string OrderId, string ProductId, int Quantity, decimal UnitPrice);

/// <summary>A behavioural event (view, search, add_to_cart, …).</summary>
/// <remarks>A value: the snapshot keeps events column by column (<see cref="EventTable"/>) and hands out these.</remarks>
public readonly record struct StoreEvent(
    string CustomerId,
    string Type,
    DateTimeOffset OccurredAt,
    string? ProductId,
    string? Query,
    string? CampaignId);

/// <summary>A product review.</summary>
public sealed record Review(string CustomerId, string ProductId, int Rating, string? Text, DateTimeOffset? CreatedAt);

/// <summary>Well-known event types. Other types are stored as given.</summary>
public static class EventTypes
{
    public const string View = "view";
    public const string Search = "search";
    public const string AddToCart = "add_to_cart";
    public const string RemoveFromCart = "remove_from_cart";
    public const string Purchase = "purchase";
    public const string EmailOpen = "email_open";
    public const string EmailClick = "email_click";
    public const string Unsubscribe = "unsubscribe";
}

/// <summary>Campaign lifecycle states.</summary>
public static class CampaignStatus
{
    public const string Draft = "draft";
    public const string Composing = "composing";
    public const string Composed = "composed";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Paused = "paused";
}

/// <summary>A campaign: what to send, to whom, with which variants.</summary>
/// <param name="Audience">An audience rule (see <c>Mailsmith.Pipeline.Audience</c>); <c>default</c> means the campaign type's own audience.</param>
/// <param name="Variants">Variant names with their assignment weights; one variant <c>A</c> with weight 1 when there is no experiment.</param>
/// <param name="Seed">Seeds every random choice of the campaign (variant assignment, wording draws) so rendering is reproducible.</param>
public sealed record Campaign(
    string CampaignId,
    string Type,
    string Name,
    string Audience,
    string Status,
    IReadOnlyList<CampaignVariant> Variants,
    long Seed,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The discount every email of the campaign states (and the only one it may state); null: none.</summary>
    public Mailsmith.Compose.CampaignOffer? Offer { get; init; }
}

/// <summary>One arm of a campaign experiment.</summary>
public sealed record CampaignVariant(string Name, double Weight);

/// <summary>Outbox states of one message. planned → sending → sent | deferred | failed | suppressed.</summary>
public static class SendState
{
    public const string Planned = "planned";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Deferred = "deferred";
    public const string Failed = "failed";
    public const string Suppressed = "suppressed";
}

/// <summary>One recipient's message of a campaign. The outbox stores states, never bodies: a retry re-renders.</summary>
/// <param name="AssignmentProbability">The probability with which <paramref name="Variant"/> was assigned, for inverse-propensity weighting.</param>
/// <param name="IdempotencyKey">Stable for (campaign, customer): planning twice yields one row.</param>
/// <param name="MessageId">Fixed before the first attempt, so a re-sent message carries the same Message-ID.</param>
public sealed record Send(
    long SendId,
    string CampaignId,
    string CustomerId,
    string Variant,
    double AssignmentProbability,
    string IdempotencyKey,
    string MessageId,
    string State,
    string? Reason,
    int Attempts,
    DateTimeOffset PlannedAt,
    DateTimeOffset? ScheduledFor,
    DateTimeOffset? SentAt,
    DateTimeOffset UpdatedAt);

/// <summary>Engagement coming back from a message: open, click, unsubscribe, conversion, bounce, complaint.</summary>
public sealed record EngagementEvent(
    long? SendId,
    string CampaignId,
    string CustomerId,
    string? Variant,
    string Type,
    DateTimeOffset OccurredAt,
    string? Url = null,
    decimal? Revenue = null,
    string? UserAgent = null,
    bool IsMachine = false);
