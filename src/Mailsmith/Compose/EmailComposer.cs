using System.Globalization;
using System.Text;
using System.Collections.Concurrent;
using Mailsmith.Deliver;
using Mailsmith.Profile.Sentiment;
using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Compose;

/// <summary>
/// Writes and lays out each recipient's email: plan the slots, draw a phrase variant per slot that fits the recipient's
/// profile (seeded, so reproducible), fill in and polish the words, then render the Liquid layouts.
/// </summary>
/// <remarks>
/// Lifetimes: phrase files and layouts are read, checked and compiled once in the constructor; the composer is then
/// immutable and <see cref="Compose"/> may be called from many threads at once. Build one per run (it holds the
/// product lookup of that run's snapshot).
/// </remarks>
public sealed class EmailComposer
{
    private static readonly ulong SubjectEmojiHash = StableHash("subject.emoji");

    [ThreadStatic]
    private static StringBuilder? t_builder;
    [ThreadStatic]
    private static StringBuilder? t_scratch;

    private readonly ComposeOptions _options;
    private readonly SenderOptions _sender;
    private readonly Func<string, Product?>? _productLookup;
    private readonly PhraseBook _phrases;
    private readonly EmailTemplates _templates;
    private readonly MoneyFormatter _money = new();
    private readonly Func<string, IReadOnlyList<Review>>? _reviewLookup;
    private readonly ConcurrentDictionary<(string, PhraseLanguage), PlanReview?> _proofs = new();
    private readonly IReadOnlyDictionary<string, double>? _weights;
    private BuiltInCopyWriter? _builtIn;
    private static readonly System.Buffers.SearchValues<char> QuoteRejects = System.Buffers.SearchValues.Create("0123456789$€£¥%<>&{}[]@/\\\"“”");

    /// <summary>Loads and checks the phrase files and parses the layouts.</summary>
    /// <param name="options">Where the files are and how many products an email carries.</param>
    /// <param name="sender">Store name, home page and postal address for copy and footer.</param>
    /// <param name="productLookup">
    /// Finds a product by id, for reasons that name another product ("Because you viewed the Pour-over Kettle").
    /// Typically <c>id =&gt; snapshot.ProductsById.GetValueOrDefault(id)</c>. Without it, or when it returns null,
    /// such a reason uses a variant that does not name the product.
    /// </param>
    /// <exception cref="ArgumentException"><see cref="ComposeOptions.MinProducts"/> or <see cref="ComposeOptions.MaxProducts"/> is out of range.</exception>
    /// <exception cref="DirectoryNotFoundException">The phrase folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A layout is missing.</exception>
    /// <exception cref="InvalidDataException">A phrase file or layout is malformed; the message names file and line.</exception>
    /// <exception cref="TemplateRenderException">A phrase uses an unknown placeholder; the message names file and line.</exception>
    /// <param name="reviewLookup">A product's reviews (typically <c>snapshot.ReviewsByProduct</c>), for social-proof quotes; null: no quotes.</param>
    /// <param name="phraseWeights">
    /// Per-variant draw weights by variant id (<see cref="PhraseChoice.VariantId"/>), for Learn to weight each slot's arms;
    /// a variant not listed keeps its file weight. Default null: file weights only.
    /// </param>
    public EmailComposer(
        ComposeOptions options, SenderOptions sender, Func<string, Product?>? productLookup = null,
        Func<string, IReadOnlyList<Review>>? reviewLookup = null, IReadOnlyDictionary<string, double>? phraseWeights = null)
    {
        _reviewLookup = reviewLookup;
        _weights = phraseWeights;
        if (options.MinProducts < 1 || options.MaxProducts < options.MinProducts)
        {
            throw new ArgumentException($"Need 1 <= MinProducts <= MaxProducts; got {options.MinProducts} and {options.MaxProducts}.", nameof(options));
        }
        _options = options;
        _sender = sender;
        _productLookup = productLookup;
        _phrases = PhraseBook.Load(options.PhrasesDirectory ?? Path.Combine(AppContext.BaseDirectory, "phrases"), options.DefaultLocale);
        _templates = EmailTemplates.Load(options.TemplatesDirectory ?? Path.Combine(AppContext.BaseDirectory, "templates"));
    }

    /// <summary>Locales that have a phrase file; others are written in the nearest one (same language, else the default).</summary>
    public IReadOnlyList<string> Locales => _phrases.Locales;

    /// <summary>
    /// Every phrase slot of <paramref name="campaignType"/> in <paramref name="locale"/>'s phrase file (the default locale
    /// filling gaps): its variant ids in file order, the same array the writer asks Learn's slot weights with, and each
    /// variant's weight (the composer's override, else the file's).
    /// </summary>
    public IReadOnlyList<PhraseSlotVariants> SlotVariants(string locale, string campaignType)
    {
        var phrases = _phrases.For(locale);
        var slots = new List<PhraseSlotVariants>();
        for (var i = 0; i < SlotNames.All.Length; i++)
        {
            if (phrases.Slot(campaignType, i) is { } slot)
            {
                var weights = Array.ConvertAll(slot.Variants, v => _weights is not null && _weights.TryGetValue(v.Id, out var w) && w >= 0 ? w : v.Weight);
                slots.Add(new PhraseSlotVariants(slot.Name, slot.VariantIds, weights));
            }
        }
        return slots;
    }

    /// <summary>The built-in writer (phrase resources, no network) as an <see cref="ICopyWriter"/>.</summary>
    public ICopyWriter BuiltInWriter => _builtIn ??= new BuiltInCopyWriter(this);

    /// <summary>
    /// Plans, writes with the built-in writer, checks and lays out one email. Thread-safe; the same context (and seed)
    /// gives the same email.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="ComposeOptions.MinProducts"/> products.</exception>
    /// <exception cref="TemplateRenderException">A slot has no variant this recipient can fill, or a layout uses an undefined variable.</exception>
    /// <exception cref="CopyCheckException">The copy failed a guardrail (it is never sent as is).</exception>
    public ComposedEmail Compose(EmailContext context)
    {
        var plan = Plan(context);
        var copy = WriteCopy(plan);
        var (email, result) = CheckAndRender(plan, copy, context.Links);
        return email ?? throw new CopyCheckException(plan, copy.Writer, result.Failures);
    }

    /// <summary>The guardrails on the copy, the layout, then the guardrails on the laid-out email; the email is null when a check failed.</summary>
    private (ComposedEmail? Email, CheckResult Result) CheckAndRender(EmailPlan plan, EmailCopy copy, EmailLinks links)
    {
        var result = CopyChecks.Check(plan, copy);
        if (!result.Passed)
        {
            return (null, result);
        }
        var email = Render(plan, copy, links);
        result = CopyChecks.CheckRendered(email);
        return (result.Passed ? email : null, result);
    }

    /// <summary>
    /// Plans one email, asks <paramref name="writer"/> for its copy and checks it; when the writer returns nothing or its
    /// copy fails a check, the built-in writer's copy is used (and checked). The outcome names the writer used and every
    /// failure seen; <see cref="ComposeOutcome.Email"/> is null when no copy passed (skip the message).
    /// </summary>
    public async ValueTask<ComposeOutcome> ComposeAsync(EmailContext context, ICopyWriter writer, CancellationToken cancellationToken = default)
    {
        var plan = Plan(context);
        List<CheckFailure>? failures = null;
        if (writer is not BuiltInCopyWriter)
        {
            EmailCopy? copy = null;
            try
            {
                copy = await writer.WriteAsync(plan, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures = [new CheckFailure("writer", writer.Name, e.GetType().Name + ": " + e.Message)];
            }
            if (copy is not null)
            {
                var (email, result) = CheckAndRender(plan, copy, context.Links);
                if (email is not null)
                {
                    return new ComposeOutcome(plan, email, copy.Writer, []);
                }
                failures = [.. result.Failures];
            }
            else
            {
                failures ??= [new CheckFailure("writer", writer.Name, "no copy (the writer declined)")];
            }
        }
        var builtIn = WriteCopy(plan);
        var (laidOut, own) = CheckAndRender(plan, builtIn, context.Links);
        if (laidOut is null)
        {
            (failures ??= []).AddRange(own.Failures);
            return new ComposeOutcome(plan, null, builtIn.Writer, failures);
        }
        return new ComposeOutcome(plan, laidOut, builtIn.Writer, (IReadOnlyList<CheckFailure>?)failures ?? []);
    }

    /// <summary>Writes the words of one email (no layout) with the built-in writer, unchecked. Thread-safe and deterministic for the seed.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="ComposeOptions.MinProducts"/> products.</exception>
    /// <exception cref="TemplateRenderException">A slot has no variant this recipient can fill.</exception>
    public EmailDraft Write(EmailContext context)
    {
        var plan = Plan(context);
        return Draft(plan, WriteCopy(plan), context.Links);
    }

    /// <summary>
    /// The plan of one email: every fact it may state, and the framing inputs (docs/compose.md "Framing rules").
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="ComposeOptions.MinProducts"/> products.</exception>
    public EmailPlan Plan(EmailContext context)
    {
        var customer = context.Customer;
        var profile = context.Profile;
        var phrases = _phrases.For(customer.Locale);
        var culture = _money.CultureFor(customer.Locale) ?? phrases.Culture;
        var campaign = context.Campaign.Type;
        var count = Math.Min(context.Products.Count, _options.MaxProducts);
        if (count < _options.MinProducts)
        {
            throw new ArgumentException(
                $"An email needs at least {_options.MinProducts} products; customer {customer.CustomerId} has {context.Products.Count}.", nameof(context));
        }
        var locale = customer.Locale;
        var products = new PlanProduct[count];
        var leadIndex = 0;
        var inCart = 0;
        for (var i = 0; i < count; i++)
        {
            var block = context.Products[i];
            var product = block.Product;
            var reason = block.Recommendation.Reason;
            if (reason.Kind == ReasonKind.InCart)
            {
                if (inCart == 0 && campaign == CampaignTypes.AbandonedCart)
                {
                    leadIndex = i;
                }
                inCart++;
            }
            var title = product.TextFor(locale).Title;
            var referenced = reason.ProductId is { } id ? FindProduct(context, id)?.TextFor(locale).Title : null;
            products[i] = new PlanProduct(
                product.ProductId, title, phrases.CategoryName(product.Category),
                new PlanMoney(product.Price, product.Currency, _money.Format(product.Price, product.Currency, culture)),
                product.Url, product.ImageUrl, title,
                new PlanReason(reason.Kind, reason.ProductId, referenced, reason.Category is { } c ? phrases.CategoryName(c) : null));
        }
        var lead = products[leadIndex];
        var min = decimal.MaxValue;
        foreach (var p in products)
        {
            if (p.Price.Value < min && string.Equals(p.Price.Currency, lead.Price.Currency, StringComparison.OrdinalIgnoreCase))
            {
                min = p.Price.Value;
            }
        }
        var firstName = Clean(customer.FirstName);
        var lastName = Clean(customer.LastName);
        var chinese = phrases.Language == PhraseLanguage.Chinese;
        var recipient = new PlanRecipient(customer.CustomerId, firstName, lastName, FullName(firstName, lastName), chinese ? "您" : null);

        var dates = new List<PlanDate>(2);
        PlanOffer? offer = null;
        if (context.Offer is { } o)
        {
            PlanDate? expires = o.Expires is { } day ? new PlanDate("offer_expires", day, FormatDate(day, culture, chinese)) : null;
            if (expires is not null)
            {
                dates.Add(expires);
            }
            offer = new PlanOffer(
                o.Code,
                o.Percent,
                o.Percent is { } pct ? pct.ToString(CultureInfo.InvariantCulture) + "%" : null,
                o.Amount is { } amount ? new PlanMoney(amount, o.Currency ?? lead.Price.Currency, _money.Format(amount, o.Currency ?? lead.Price.Currency, culture)) : null,
                expires);
        }
        if (campaign == CampaignTypes.Birthday && customer.Birthday is { } birthday)
        {
            dates.Add(new PlanDate("birthday", birthday, FormatDate(birthday, culture, chinese, withYear: false)));
        }

        var discount = Facts.SensitivityOf(profile.DiscountSensitivity ?? DiscountShareAsSensitivity(profile.DiscountShare));
        var framing = new PlanFraming(
            profile.Lifecycle,
            Facts.SensitivityOf(profile.PriceSensitivity),
            discount,
            Framing.Choose(discount, Facts.SensitivityOf(profile.PriceSensitivity), offer is not null, context.Seed),
            Facts.SeasonOf(context.AsOf),
            Facts.DaypartOf(profile.ActiveHour),
            Facts.OrdersOf(profile.Frequency),
            context.Products[leadIndex].Product.TopCategory);

        return new EmailPlan(
            context.Campaign.CampaignId, campaign, CampaignGoals.For(campaign), context.Variant, context.Seed, phrases.Locale, culture.Name,
            recipient, framing, products, offer, Reviews(products, phrases), dates, _sender.StoreName)
        {
            LeadIndex = leadIndex,
            ItemCount = campaign == CampaignTypes.AbandonedCart && inCart > 0 ? inCart : count,
            FromPrice = new PlanMoney(min, lead.Price.Currency, _money.Format(min, lead.Price.Currency, culture)),
            TopCategory = profile.TopCategories.Count > 0 ? phrases.CategoryName(profile.TopCategories[0]) : null,
            SlotWeights = context.SlotWeights,
        };
    }

    /// <summary>DiscountShare (share of orders on discount) read as a sensitivity when the profile stage has not computed one: 0 → 0.2, ≥ 0.5 → 0.8.</summary>
    private static double DiscountShareAsSensitivity(double share) => Math.Clamp(0.2 + share * 1.2, 0, 1);

    private static string FormatDate(DateOnly day, CultureInfo culture, bool chinese, bool withYear = true) =>
        chinese
            ? (withYear ? day.ToString("yyyy年M月d日", CultureInfo.InvariantCulture) : day.ToString("M月d日", CultureInfo.InvariantCulture))
            : day.ToString(withYear ? "MMMM d, yyyy" : "MMMM d", CultureInfo.GetCultureInfo("en-US"));

    /// <summary>One short positive review sentence (in the email's language) per product, picked once per product and run.</summary>
    private PlanReview[] Reviews(PlanProduct[] products, ResolvedPhrases phrases)
    {
        if (_reviewLookup is null)
        {
            return [];
        }
        List<PlanReview>? found = null;
        foreach (var product in products)
        {
            var review = _proofs.GetOrAdd((product.ProductId, phrases.Language), static (key, self) => self.PickProof(key.Item1, key.Item2), this);
            if (review is not null)
            {
                (found ??= []).Add(review);
            }
        }
        return found is null ? [] : [.. found];
    }

    private PlanReview? PickProof(string productId, PhraseLanguage language)
    {
        var reviews = _reviewLookup!(productId);
        if (reviews.Count == 0)
        {
            return null;
        }
        var wanted = language == PhraseLanguage.Chinese ? SentimentLanguage.Chinese : SentimentLanguage.English;
        var texts = reviews.Where(r => r.Rating >= 4 && r.Text is not null).Select(r => new ReviewText(r.CustomerId, r.ProductId, r.Text));
        foreach (var line in ReviewSentiment.PickSocialProof(texts, count: 8, maxChars: 90))
        {
            var sentence = line.Sentence.Trim();
            // A quote states only opinion: no numbers, prices, links or markup that the grounding check could not vouch for.
            if (SentimentScorer.LanguageOf(sentence) != wanted || sentence.AsSpan().IndexOfAny(QuoteRejects) >= 0)
            {
                continue;
            }
            var rating = reviews.First(r => r.CustomerId == line.CustomerId).Rating;
            return new PlanReview(productId, sentence, rating, line.Score);
        }
        return null;
    }

    /// <summary>The built-in writer: draws phrase variants for the subject, preheader, paragraphs and product sentences.</summary>
    /// <exception cref="TemplateRenderException">A slot has no variant this recipient can fill.</exception>
    public EmailCopy WriteCopy(EmailPlan plan)
    {
        var phrases = _phrases.For(plan.Locale);
        var choices = new List<PhraseChoice>(16);
        var writer = new SlotWriter(this, phrases, plan.CampaignType, FactsOf(plan), plan.Seed, choices, _weights, plan.SlotWeights);
        var values = ValuesOf(plan);
        var subject = WriteSubject(writer, values, plan.Culture);
        var preheader = writer.Write(SlotNames.Preheader, values);
        // The greeting is the layout's, but its draw is fixed by the seed: draw it here too to know what it said.
        writer.Write(SlotNames.Greeting, values, out var said, record: false);
        // Say it once: the paragraphs after the greeting avoid repeating a name, the lead product or the
        // from-price already used, as long as some variant can do without it.
        var fresh = values;
        Forget(ref fresh, said);
        var paragraphs = new List<string>(5) { writer.Write(SlotNames.Opening, fresh, values, out said) };
        Forget(ref fresh, said);
        // Value framing puts the offer right after the opening; otherwise it comes after the body, once.
        string? offer = plan.Offer is not null ? writer.WriteOptional(SlotNames.Offer, fresh, values) : null;
        if (offer is { Length: > 0 } && plan.Framing.Frame == Frames.Value)
        {
            paragraphs.Add(offer);
            offer = null;
        }
        paragraphs.Add(writer.Write(SlotNames.Body, fresh, values, out said));
        Forget(ref fresh, said);
        if (offer is { Length: > 0 })
        {
            paragraphs.Add(offer);
        }
        if (values.Review is not null && writer.WriteOptional(SlotNames.Proof, fresh, values) is { Length: > 0 } proof)
        {
            paragraphs.Add(proof);
        }
        else if (writer.WriteOptional(SlotNames.Closing, fresh, values) is { Length: > 0 } closing)
        {
            paragraphs.Add(closing);
        }
        var blurbs = new Dictionary<string, string>(plan.Products.Count, StringComparer.Ordinal);
        for (var i = 0; i < plan.Products.Count; i++)
        {
            var product = plan.Products[i];
            blurbs[product.ProductId] = WriteReason(writer, phrases, product, values, i);
        }
        return new EmailCopy(subject, preheader, paragraphs, blurbs, BuiltInCopyWriter.WriterName, choices);
    }

    private static string WriteReason(SlotWriter writer, ResolvedPhrases phrases, PlanProduct product, PhraseValues values, int index)
    {
        var reason = product.Reason;
        var slot = SlotNames.ForReason(reason.Kind)
            ?? throw new TemplateRenderException(
                $"Product {product.ProductId}: no phrases for reason kind '{reason.Kind}' (slots are reason.<kind>).", "reason." + reason.Kind, null);
        values.Product = reason.ProductTitle;
        values.Category = reason.Category ?? product.Category;
        return writer.Write(slot, values, salt: index + 1);
    }

    /// <summary>Lays out a draft with the HTML and text templates.</summary>
    /// <exception cref="TemplateRenderException">A layout uses an undefined variable.</exception>
    public ComposedEmail Render(EmailDraft draft)
    {
        var (html, text) = _templates.Render(draft);
        var ids = new string[draft.Products.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = draft.Products[i].ProductId;
        }
        return new ComposedEmail(draft.Locale, draft.Subject, draft.Preheader, html, text, ids) { Choices = draft.Choices };
    }

    /// <summary>Lays out checked copy: the layout's own slots (greeting, call to action, sign-off, footer) are drawn from the phrase files.</summary>
    /// <exception cref="TemplateRenderException">A layout uses an undefined variable.</exception>
    public ComposedEmail Render(EmailPlan plan, EmailCopy copy, EmailLinks links) => Render(Draft(plan, copy, links));

    /// <summary>The template model of checked copy: the copy's fragments plus the layout's slots, links wrapped for tracking.</summary>
    public EmailDraft Draft(EmailPlan plan, EmailCopy copy, EmailLinks links)
    {
        var phrases = _phrases.For(plan.Locale);
        var choices = new List<PhraseChoice>(copy.Choices.Count + 8);
        choices.AddRange(copy.Choices);
        var writer = new SlotWriter(this, phrases, plan.CampaignType, FactsOf(plan), plan.Seed, choices, _weights, plan.SlotWeights);
        var values = ValuesOf(plan);
        var greeting = writer.Write(SlotNames.Greeting, values);
        var cta = writer.Write(SlotNames.Cta, values);
        var signoff = writer.Write(SlotNames.Signoff, values);
        var footerWhy = writer.Write(SlotNames.FooterWhy, values);
        var unsubscribe = writer.Write(SlotNames.FooterUnsubscribe, values);
        var button = writer.Write(SlotNames.ProductButton, values);
        var cards = new DraftProduct[plan.Products.Count];
        for (var i = 0; i < cards.Length; i++)
        {
            var product = plan.Products[i];
            var sentence = copy.ProductBlurbs.TryGetValue(product.ProductId, out var blurb) ? blurb : WriteReason(writer, phrases, product, values, i);
            cards[i] = new DraftProduct(
                product.ProductId, product.Title, product.Price.Formatted, product.ImageUrl, links.Click(product.Url ?? _sender.StoreUrl), sentence, button);
        }
        var storeUrl = _sender.StoreUrl;
        var ctaUrl = plan.CampaignType == CampaignTypes.AbandonedCart ? storeUrl.TrimEnd('/') + _options.CartPath : storeUrl;
        return new EmailDraft(
            plan.Locale, copy.Subject, copy.Preheader, greeting, copy.Paragraphs, cards, cta, links.Click(ctaUrl), signoff,
            _sender.StoreName, links.Click(storeUrl), _sender.PostalAddress, footerWhy, unsubscribe, links.Unsubscribe, choices)
        {
            OfferCode = plan.Offer?.Code,
            OpenPixelUrl = links.OpenPixel,
            ViewUrl = links.View,
            PreferencesUrl = links.Preferences,
        };
    }

    private static RecipientFacts FactsOf(EmailPlan plan)
    {
        var f = plan.Framing;
        return new RecipientFacts(
            f.Lifecycle, f.PriceSensitivity, f.Daypart, f.Orders, plan.Recipient.FirstName is not null, plan.Variant,
            f.DiscountSensitivity, f.Frame, f.Season, f.Category, plan.Offer is not null, plan.Offer?.Code is not null);
    }

    private static PhraseValues ValuesOf(EmailPlan plan)
    {
        var offer = plan.Offer;
        PlanReview? review = plan.Reviews.Count > 0 ? plan.Reviews[0] : null;
        return new PhraseValues
        {
            FirstName = plan.Recipient.FirstName,
            LastName = plan.Recipient.LastName,
            FullName = plan.Recipient.FullName,
            Store = plan.StoreName,
            Category = plan.TopCategory,
            Product = plan.Lead.Title,
            Count = plan.ItemCount,
            FromPrice = plan.FromPrice?.Formatted,
            Code = offer?.Code,
            Discount = offer is null ? null : offer.PercentFormatted ?? offer.Amount?.Formatted,
            Expires = offer?.Expires?.Formatted,
            Review = review?.Quote,
            ReviewProduct = review is null ? null : plan.Products.First(p => p.ProductId == review.ProductId).Title,
        };
    }

    private Product? FindProduct(EmailContext context, string productId)
    {
        foreach (var block in context.Products)
        {
            if (block.Product.ProductId == productId)
            {
                return block.Product;
            }
        }
        return _productLookup?.Invoke(productId);
    }

    private string WriteSubject(SlotWriter writer, PhraseValues values, string customerLocale)
    {
        var phrases = writer.Phrases;
        var subject = writer.WriteWithin(SlotNames.Subject, values, phrases.SubjectMin, phrases.SubjectMax);
        // Emoji policy: opt-in, one at most, American English only, never on win-back mail (it reads as flippant there).
        if (_options.EmojiInSubject
            && writer.Campaign != CampaignTypes.Winback
            && string.Equals(customerLocale.Replace('_', '-'), "en-US", StringComparison.OrdinalIgnoreCase)
            && phrases.SubjectEmoji(writer.Campaign) is { Length: > 0 } emoji
            && TextLength(subject) + 2 <= phrases.SubjectMax)
        {
            subject = subject + " " + emoji[(int)(Mix((ulong)writer.Seed ^ SubjectEmojiHash) % (ulong)emoji.Length)];
        }
        return subject;
    }


    /// <summary>
    /// <c>&lt;AppContext.BaseDirectory&gt;/&lt;name&gt;</c>; when that does not exist, <c>Compose/&lt;Folder&gt;</c> beside the binary,
    /// where MSBuild copies Content items that live inside the project folder (LinkBase applies only to files outside it).
    /// </summary>
    private const ulong NameBits = (1UL << Placeholder.FirstName) | (1UL << Placeholder.LastName) | (1UL << Placeholder.FullName);

    /// <summary>Removes from <paramref name="values"/> what a chosen phrase already said (<paramref name="used"/> placeholder bits).</summary>
    private static void Forget(ref PhraseValues values, ulong used)
    {
        if ((used & NameBits) != 0)
        {
            values.FirstName = values.LastName = values.FullName = null;
        }
        if ((used & (1UL << Placeholder.FromPrice)) != 0)
        {
            values.FromPrice = null;
        }
        if ((used & (1UL << Placeholder.Product)) != 0)
        {
            values.Product = null;
        }
        if ((used & (1UL << Placeholder.TimeOfDay)) != 0)
        {
            values.TimeOfDaySaid = true;
        }
    }

    private static string? Clean(string? name) => string.IsNullOrWhiteSpace(name) ? null : name.Trim();

    /// <summary>
    /// Full name as its owner writes it: family name first and no space for a Chinese name (王小明), given name first otherwise.
    /// Null without a given name: a family name alone needs an honorific that depends on gender, which is not known.
    /// </summary>
    private static string? FullName(string? first, string? last)
    {
        if (first is null)
        {
            return null;
        }
        if (last is null)
        {
            return first;
        }
        return Grammar.IsAllCjk(first) && Grammar.IsAllCjk(last) ? last + first : first + " " + last;
    }

    /// <summary>Length as a reader counts it: one per Unicode scalar (a Chinese character or an emoji is one).</summary>
    internal static int TextLength(string text)
    {
        var length = 0;
        foreach (var c in text)
        {
            if (!char.IsLowSurrogate(c))
            {
                length++;
            }
        }
        return length;
    }

    internal static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>SplitMix64 finalizer: spreads a seed into well-mixed bits.</summary>
    internal static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Draws and renders variants for one email. A struct on the stack: no allocation beyond the strings it returns.</summary>
    private readonly struct SlotWriter(
        EmailComposer composer, ResolvedPhrases phrases, string campaign, RecipientFacts facts, int seed, List<PhraseChoice> choices,
        IReadOnlyDictionary<string, double>? weights, Mailsmith.Learn.ISlotWeights? slotWeights)
    {
        public ResolvedPhrases Phrases => phrases;
        public string Campaign => campaign;
        public int Seed => seed;

        public string Write(int slot, in PhraseValues values, int salt = 0) => Write(slot, values, out _, salt);

        public string Write(int slot, in PhraseValues values, out ulong used, int salt = 0, bool record = true)
        {
            var phraseSlot = Resolve(slot);
            var index = Choose(phraseSlot, values, salt, out var probability);
            used = Needs(phraseSlot.Variants[index]);
            return Render(phraseSlot, index, values, salt, record, probability);
        }

        private double WeightOf(PhraseVariant variant) =>
            weights is not null && weights.TryGetValue(variant.Id, out var w) && w >= 0 ? w : variant.Weight;

        // Learn's per-slot arms (docs/learn.md "Phrase slots as arms"): a multiplier per variant, 1 without data.
        private IReadOnlyList<double>? Learned(PhraseSlot slot) => slotWeights?.Weights(slot.Name, slot.VariantIds);

        /// <summary>Writes with <paramref name="preferred"/> values, or with <paramref name="all"/> when no variant fits the preferred ones.</summary>
        public string Write(int slot, in PhraseValues preferred, in PhraseValues all, out ulong used) =>
            AnyFits(Resolve(slot), preferred) ? Write(slot, preferred, out used) : Write(slot, all, out used);

        public string? WriteOptional(int slot, in PhraseValues preferred, in PhraseValues all)
        {
            var phraseSlot = phrases.Slot(campaign, slot);
            if (phraseSlot is null)
            {
                return null;
            }
            var values = AnyFits(phraseSlot, preferred) ? preferred : all;
            var index = Choose(phraseSlot, values, 0, out var probability);
            return Render(phraseSlot, index, values, 0, true, probability);
        }

        private bool AnyFits(PhraseSlot slot, in PhraseValues values)
        {
            var available = values.Available;
            foreach (var variant in slot.Variants)
            {
                if (Fits(variant, available))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// Like <c>Write</c>, but keeps to a length rule: tries the drawn variant, then the next fitting ones in order;
        /// if none lands within [min, max], takes the closest and shortens it at a word boundary.
        /// </summary>
        public string WriteWithin(int slot, in PhraseValues values, int min, int max)
        {
            var phraseSlot = Resolve(slot);
            var variants = phraseSlot.Variants;
            var first = Choose(phraseSlot, values, 0, out var drawn);
            var available = values.Available;
            string? best = null;
            var bestIndex = first;
            var bestDistance = int.MaxValue;
            for (var step = 0; step < variants.Length; step++)
            {
                var index = (first + step) % variants.Length;
                if (!Fits(variants[index], available))
                {
                    continue;
                }
                var text = composer.Polish(phraseSlot, variants[index], values);
                var length = TextLength(text);
                var distance = length < min ? min - length : length > max ? length - max : 0;
                if (distance == 0)
                {
                    // The draw's probability holds only for the drawn variant; a length-rule substitute records none.
                    choices.Add(new PhraseChoice(phraseSlot.Name, variants[index].Id, variants[index].Tags) { Probability = step == 0 ? drawn : null });
                    return text;
                }
                // Prefer a subject that is a little short over one that must be cut.
                distance = length > max ? distance * 4 : distance;
                if (distance < bestDistance)
                {
                    (best, bestIndex, bestDistance) = (text, index, distance);
                }
            }
            choices.Add(new PhraseChoice(phraseSlot.Name, variants[bestIndex].Id, variants[bestIndex].Tags) { Probability = bestIndex == first ? drawn : null });
            return Shorten(best!, max);
        }

        private bool Fits(PhraseVariant variant, ulong available) => (Needs(variant) & ~available) == 0 && variant.When.Holds(facts);

        // The placeholders a variant fills in, and the time of day when it greets by it (Placeholder.TimeOfDay).
        private static ulong Needs(PhraseVariant variant) =>
            variant.Text.Requires | (variant.When.Daypart is not null ? 1UL << Placeholder.TimeOfDay : 0);

        private PhraseSlot Resolve(int slot) => phrases.Slot(campaign, slot)
            ?? throw new TemplateRenderException(
                $"Campaign type '{campaign}' has no '{SlotNames.All[slot]}' phrases in {phrases.File} or the default locale.", SlotNames.All[slot], phrases.File);

        private int Choose(PhraseSlot slot, in PhraseValues values, int salt, out double probability)
        {
            var available = values.Available;
            var variants = slot.Variants;
            var learned = Learned(slot);
            var total = 0.0;
            for (var i = 0; i < variants.Length; i++)
            {
                if (Fits(variants[i], available))
                {
                    total += WeightOf(variants[i]) * (learned?[i] ?? 1.0);
                }
            }
            if (total == 0)
            {
                throw NoVariant(slot, available);
            }
            var draw = Mix(Mix((ulong)(uint)seed ^ slot.Hash) + (ulong)salt);
            var target = (draw >> 11) * (1.0 / (1UL << 53)) * total;
            var last = -1;
            for (var i = 0; i < variants.Length; i++)
            {
                if (!Fits(variants[i], available))
                {
                    continue;
                }
                last = i;
                var weight = WeightOf(variants[i]) * (learned?[i] ?? 1.0);
                target -= weight;
                if (target < 0)
                {
                    probability = weight / total;
                    return i;
                }
            }
            probability = WeightOf(variants[last]) * (learned?[last] ?? 1.0) / total;
            return last;
        }

        private string Render(PhraseSlot slot, int index, in PhraseValues values, int salt, bool record, double probability)
        {
            var variant = slot.Variants[index];
            if (record)
            {
                choices.Add(new PhraseChoice(salt == 0 ? slot.Name : slot.Name + "#" + salt.ToString(CultureInfo.InvariantCulture), variant.Id, variant.Tags) { Probability = probability });
            }
            return composer.Polish(slot, variant, values);
        }

        private TemplateRenderException NoVariant(PhraseSlot slot, ulong available)
        {
            var facts1 = facts;
            var missing = slot.Variants
                .Where(v => v.When.Holds(facts1))
                .SelectMany(v => v.Text.PlaceholderNames)
                .Where(n => Placeholder.IdOf(n) is { } id && (available & (1UL << id)) == 0)
                .Distinct()
                .ToList();
            var name = missing.Count > 0 ? missing[0] : slot.Name;
            var why = missing.Count > 0
                ? $"every variant whose conditions hold needs {string.Join(", ", missing.Select(m => "{" + m + "}"))}, which has no value here"
                : "no variant's conditions hold";
            return new TemplateRenderException($"{slot.Key}: no variant fits this recipient: {why}. Add a variant without conditions or placeholders.", name, slot.Key);
        }
    }

    /// <summary>Fills in a variant and applies the language's conventions (capitals in English; punctuation and spacing in Chinese).</summary>
    private string Polish(PhraseSlot slot, PhraseVariant variant, in PhraseValues values)
    {
        var builder = t_builder ??= new StringBuilder(256);
        builder.Clear();
        variant.Text.Render(builder, values);
        switch (slot.Language)
        {
            case PhraseLanguage.English:
                Grammar.PolishEnglish(builder);
                return builder.ToString().Trim();
            case PhraseLanguage.Chinese:
                return Grammar.PolishChinese(builder, t_scratch ??= new StringBuilder(256)).Trim();
            default:
                return builder.ToString().Trim();
        }
    }

    /// <summary>Cuts a too-long line at the last word boundary (any character in Chinese) and marks the cut with an ellipsis.</summary>
    private static string Shorten(string text, int max)
    {
        if (TextLength(text) <= max)
        {
            return text;
        }
        var cut = Math.Max(1, max - 1);
        var end = 0;
        var seen = 0;
        while (end < text.Length && seen < cut)
        {
            end += char.IsHighSurrogate(text[end]) && end + 1 < text.Length ? 2 : 1;
            seen++;
        }
        var space = text.LastIndexOf(' ', Math.Max(0, end - 1));
        if (space > end / 2)
        {
            end = space;
        }
        return text[..end].TrimEnd(' ', ',', '，', '、', ':', '：', '-', '—') + "…";
    }
}
