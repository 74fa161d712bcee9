namespace Mailsmith.Compose;

/// <summary>
/// The words of one email before layout: what <see cref="EmailComposer.Write"/> decided and the Liquid templates lay out.
/// Every property is a template variable (snake_case: <c>{{ call_to_action_url }}</c>); see docs/compose.md.
/// </summary>
/// <param name="Locale">The locale the wording is in (the recipient's, or the fallback's when it has no phrases).</param>
/// <param name="Paragraphs">Body paragraphs, 2–3: opening, body and an optional closing.</param>
/// <param name="CallToActionUrl">Already wrapped by <see cref="EmailLinks.Click"/>.</param>
/// <param name="StoreUrl">The store's home page, already wrapped by <see cref="EmailLinks.Click"/>.</param>
/// <param name="Choices">Which phrase variant filled each slot, with its tags, for analysis and tests; not laid out.</param>
public sealed record EmailDraft(
    string Locale,
    string Subject,
    string Preheader,
    string Greeting,
    IReadOnlyList<string> Paragraphs,
    IReadOnlyList<DraftProduct> Products,
    string CallToAction,
    string CallToActionUrl,
    string Signoff,
    string StoreName,
    string StoreUrl,
    string PostalAddress,
    string FooterWhy,
    string UnsubscribeText,
    string UnsubscribeUrl,
    IReadOnlyList<PhraseChoice> Choices)
{
    /// <summary>The offer's code, shown in its own box when there is one.</summary>
    public string? OfferCode { get; init; }

    /// <summary>Open-tracking pixel URL, or null.</summary>
    public string? OpenPixelUrl { get; init; }

    /// <summary>"View in browser" URL, or null.</summary>
    public string? ViewUrl { get; init; }

    /// <summary>Preference-centre URL, or null.</summary>
    public string? PreferencesUrl { get; init; }
}

/// <summary>One product card, every value final: title in the reader's language, price in their format, a reason sentence.</summary>
/// <param name="Url">The product page, already wrapped by <see cref="EmailLinks.Click"/>.</param>
/// <param name="ImageUrl">The product image, or null when the catalog has none (the card then has no image).</param>
public sealed record DraftProduct(string ProductId, string Title, string Price, string? ImageUrl, string Url, string Reason, string ButtonText);

/// <summary>The variant drawn for a slot (<c>subject</c>, <c>reason.viewed#2</c>, …) and its tags (e.g. <c>value</c>, <c>quality</c>).</summary>
public sealed record PhraseChoice(string Slot, string VariantId, IReadOnlyList<string> Tags)
{
    /// <summary>The probability the seeded draw picked this variant with (weights of the fitting variants); null when a rule replaced the draw.</summary>
    public double? Probability { get; init; }
}

/// <summary>One phrase slot's variants as the built-in writer draws them: ids in file order and their weights before Learn's multipliers.</summary>
public sealed record PhraseSlotVariants(string Slot, IReadOnlyList<string> VariantIds, IReadOnlyList<double> FileWeights);
