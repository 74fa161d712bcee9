using System.Globalization;
using System.Text;
using Mailsmith.Deliver;
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
    public EmailComposer(ComposeOptions options, SenderOptions sender, Func<string, Product?>? productLookup = null)
    {
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

    /// <summary>Writes and lays out one email. Thread-safe; the same context (and seed) gives the same email.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="ComposeOptions.MinProducts"/> products.</exception>
    /// <exception cref="TemplateRenderException">A slot has no variant this recipient can fill, or a layout uses an undefined variable.</exception>
    public ComposedEmail Compose(EmailContext context) => Render(Write(context));

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
        return new ComposedEmail(draft.Locale, draft.Subject, draft.Preheader, html, text, ids);
    }

    /// <summary>Writes the words of one email (no layout). Thread-safe and deterministic for <see cref="EmailContext.Seed"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="ComposeOptions.MinProducts"/> products.</exception>
    /// <exception cref="TemplateRenderException">A slot has no variant this recipient can fill.</exception>
    public EmailDraft Write(EmailContext context)
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

        var firstName = Clean(customer.FirstName);
        var lastName = Clean(customer.LastName);
        var facts = new RecipientFacts(
            profile.Lifecycle,
            Facts.SensitivityOf(profile.PriceSensitivity),
            Facts.DaypartOf(profile.ActiveHour),
            Facts.OrdersOf(profile.Frequency),
            firstName is not null,
            context.Variant);

        var lead = LeadProduct(context, count, campaign, out var inCart);
        var values = new PhraseValues
        {
            FirstName = firstName,
            LastName = lastName,
            FullName = FullName(firstName, lastName),
            Store = _sender.StoreName,
            Category = profile.TopCategories.Count > 0 ? phrases.CategoryName(profile.TopCategories[0]) : null,
            Product = lead.TextFor(customer.Locale).Title,
            Count = campaign == CampaignTypes.AbandonedCart && inCart > 0 ? inCart : count,
            FromPrice = FromPrice(context, count, lead.Currency, culture),
        };

        var choices = new List<PhraseChoice>(16);
        var writer = new SlotWriter(this, phrases, campaign, facts, context.Seed, choices);
        var subject = WriteSubject(writer, values, customer.Locale);
        var preheader = writer.Write(SlotNames.Preheader, values);
        var greeting = writer.Write(SlotNames.Greeting, values, out var said);
        // Say it once: the paragraphs after the greeting avoid repeating a name, the lead product or the
        // from-price already used, as long as some variant can do without it.
        var fresh = values;
        Forget(ref fresh, said);
        var paragraphs = new List<string>(3) { writer.Write(SlotNames.Opening, fresh, values, out said) };
        Forget(ref fresh, said);
        paragraphs.Add(writer.Write(SlotNames.Body, fresh, values, out said));
        Forget(ref fresh, said);
        if (writer.WriteOptional(SlotNames.Closing, fresh, values) is { Length: > 0 } closing)
        {
            paragraphs.Add(closing);
        }
        var cta = writer.Write(SlotNames.Cta, values);
        var signoff = writer.Write(SlotNames.Signoff, values);
        var footerWhy = writer.Write(SlotNames.FooterWhy, values);
        var unsubscribe = writer.Write(SlotNames.FooterUnsubscribe, values);
        var button = writer.Write(SlotNames.ProductButton, values);

        var products = new DraftProduct[count];
        for (var i = 0; i < count; i++)
        {
            products[i] = WriteProduct(writer, context, phrases, culture, values, i, button);
        }

        var links = context.Links;
        var storeUrl = _sender.StoreUrl;
        var ctaUrl = campaign == CampaignTypes.AbandonedCart ? storeUrl.TrimEnd('/') + _options.CartPath : storeUrl;
        return new EmailDraft(
            phrases.Locale, subject, preheader, greeting, paragraphs, products, cta, links.Click(ctaUrl), signoff,
            _sender.StoreName, links.Click(storeUrl), _sender.PostalAddress, footerWhy, unsubscribe, links.Unsubscribe, choices);
    }

    private DraftProduct WriteProduct(
        SlotWriter writer, EmailContext context, ResolvedPhrases phrases, CultureInfo culture, PhraseValues values, int index, string button)
    {
        var block = context.Products[index];
        var product = block.Product;
        var reason = block.Recommendation.Reason;
        var locale = context.Customer.Locale;
        var slot = SlotNames.ForReason(reason.Kind)
            ?? throw new TemplateRenderException(
                $"Product {product.ProductId}: no phrases for reason kind '{reason.Kind}' (slots are reason.<kind>).", "reason." + reason.Kind, null);
        values.Product = reason.ProductId is { } referenced ? FindProduct(context, referenced)?.TextFor(locale).Title : null;
        values.Category = phrases.CategoryName(reason.Category ?? product.Category);
        var sentence = writer.Write(slot, values, salt: index + 1);
        var url = context.Links.Click(product.Url ?? _sender.StoreUrl);
        return new DraftProduct(
            product.ProductId, product.TextFor(locale).Title, _money.Format(product.Price, product.Currency, culture),
            product.ImageUrl, url, sentence, button);
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

    /// <summary>The product the copy talks about: the first one left in the cart for abandoned-cart mail, else the first shown.</summary>
    private static Product LeadProduct(EmailContext context, int count, string campaign, out int inCart)
    {
        inCart = 0;
        Product? first = null;
        for (var i = 0; i < count; i++)
        {
            if (context.Products[i].Recommendation.Reason.Kind == ReasonKind.InCart)
            {
                inCart++;
                first ??= context.Products[i].Product;
            }
        }
        return campaign == CampaignTypes.AbandonedCart && first is not null ? first : context.Products[0].Product;
    }

    /// <summary>The lowest price shown in the lead product's currency ("from $12.99"): value framing from real prices.</summary>
    private string FromPrice(EmailContext context, int count, string currency, CultureInfo culture)
    {
        var min = decimal.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var product = context.Products[i].Product;
            if (product.Price < min && string.Equals(product.Currency, currency, StringComparison.OrdinalIgnoreCase))
            {
                min = product.Price;
            }
        }
        return _money.Format(min, currency, culture);
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
    private readonly struct SlotWriter(EmailComposer composer, ResolvedPhrases phrases, string campaign, RecipientFacts facts, int seed, List<PhraseChoice> choices)
    {
        public ResolvedPhrases Phrases => phrases;
        public string Campaign => campaign;
        public int Seed => seed;

        public string Write(int slot, in PhraseValues values, int salt = 0) => Write(slot, values, out _, salt);

        public string Write(int slot, in PhraseValues values, out ulong used, int salt = 0)
        {
            var phraseSlot = Resolve(slot);
            var index = Choose(phraseSlot, values, salt);
            used = phraseSlot.Variants[index].Text.Requires;
            return Render(phraseSlot, index, values, salt);
        }

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
            return Render(phraseSlot, Choose(phraseSlot, values, 0), values, 0);
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
            var first = Choose(phraseSlot, values, 0);
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
                    choices.Add(new PhraseChoice(phraseSlot.Name, variants[index].Id, variants[index].Tags));
                    return text;
                }
                // Prefer a subject that is a little short over one that must be cut.
                distance = length > max ? distance * 4 : distance;
                if (distance < bestDistance)
                {
                    (best, bestIndex, bestDistance) = (text, index, distance);
                }
            }
            choices.Add(new PhraseChoice(phraseSlot.Name, variants[bestIndex].Id, variants[bestIndex].Tags));
            return Shorten(best!, max);
        }

        private bool Fits(PhraseVariant variant, ulong available) => (variant.Text.Requires & ~available) == 0 && variant.When.Holds(facts);

        private PhraseSlot Resolve(int slot) => phrases.Slot(campaign, slot)
            ?? throw new TemplateRenderException(
                $"Campaign type '{campaign}' has no '{SlotNames.All[slot]}' phrases in {phrases.File} or the default locale.", SlotNames.All[slot], phrases.File);

        private int Choose(PhraseSlot slot, in PhraseValues values, int salt)
        {
            var available = values.Available;
            var variants = slot.Variants;
            var total = 0.0;
            foreach (var variant in variants)
            {
                if (Fits(variant, available))
                {
                    total += variant.Weight;
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
                target -= variants[i].Weight;
                if (target < 0)
                {
                    return i;
                }
            }
            return last;
        }

        private string Render(PhraseSlot slot, int index, in PhraseValues values, int salt)
        {
            var variant = slot.Variants[index];
            choices.Add(new PhraseChoice(salt == 0 ? slot.Name : slot.Name + "#" + salt.ToString(CultureInfo.InvariantCulture), variant.Id, variant.Tags));
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
