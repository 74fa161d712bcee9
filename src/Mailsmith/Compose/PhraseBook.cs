using System.Collections.Concurrent;
using System.Globalization;

namespace Mailsmith.Compose;

/// <summary>
/// Every phrase file of a folder, compiled and checked once. Immutable after <see cref="Load"/> apart from
/// thread-safe caches; shared by all threads composing.
/// </summary>
internal sealed class PhraseBook
{
    private readonly Dictionary<string, ResolvedPhrases> _byLocale;
    private readonly ConcurrentDictionary<string, ResolvedPhrases> _resolved = new(StringComparer.OrdinalIgnoreCase);

    private PhraseBook(Dictionary<string, ResolvedPhrases> byLocale, ResolvedPhrases fallback)
    {
        _byLocale = byLocale;
        Default = fallback;
        Locales = [.. byLocale.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Locales with a phrase file.</summary>
    public IReadOnlyList<string> Locales { get; }

    /// <summary>The default locale's phrases, which every other locale falls back to.</summary>
    public ResolvedPhrases Default { get; }

    /// <summary>
    /// The phrases for a recipient locale: its own file, else a file of the same language (<c>zh-TW</c> → <c>zh-CN</c>),
    /// else the default locale.
    /// </summary>
    public ResolvedPhrases For(string locale) => _resolved.GetOrAdd(locale, static (key, book) => book.Find(key), this);

    private ResolvedPhrases Find(string locale)
    {
        var normalized = locale.Replace('_', '-');
        if (_byLocale.TryGetValue(normalized, out var exact))
        {
            return exact;
        }
        var language = normalized.Split('-', 2)[0];
        foreach (var (key, phrases) in _byLocale.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (key.Split('-', 2)[0].Equals(language, StringComparison.OrdinalIgnoreCase))
            {
                return phrases;
            }
        }
        return Default;
    }

    /// <summary>Reads <c>*.json</c> in <paramref name="directory"/>; <paramref name="defaultLocale"/> must be among them and word every slot.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the default locale misses a slot; the message gives file and line.</exception>
    /// <exception cref="TemplateRenderException">A phrase uses an unknown placeholder; the message gives file and line.</exception>
    public static PhraseBook Load(string directory, string defaultLocale)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Phrase folder '{directory}' does not exist.");
        }
        var files = Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
        var defaultFile = files.FirstOrDefault(f => Path.GetFileNameWithoutExtension(f).Equals(defaultLocale, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidDataException($"Phrase folder '{directory}' has no {defaultLocale}.json for the default locale.");
        var nounIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var fallback = LocaleFileReader.Read(defaultFile, null, nounIds);
        var resolvedDefault = ResolvedPhrases.Create(fallback, null);
        var byLocale = new Dictionary<string, ResolvedPhrases>(StringComparer.OrdinalIgnoreCase) { [fallback.Locale] = resolvedDefault };
        foreach (var file in files)
        {
            if (file == defaultFile)
            {
                continue;
            }
            var phrases = LocaleFileReader.Read(file, fallback, nounIds);
            byLocale[phrases.Locale] = ResolvedPhrases.Create(phrases, resolvedDefault);
        }
        return new PhraseBook(byLocale, resolvedDefault);
    }
}

/// <summary>One phrase file as read: slots it defines itself, nothing inherited.</summary>
internal sealed class LocalePhrases
{
    public required string Locale { get; init; }
    public required string File { get; init; }
    public required PhraseLanguage Language { get; init; }
    public int? SubjectMin { get; init; }
    public int? SubjectMax { get; init; }
    public required Dictionary<string, string> Categories { get; init; }
    public required Dictionary<string, (int Id, CountForms Forms)> CountNouns { get; init; }
    public required PhraseSlot?[] Shared { get; init; }
    public required Dictionary<string, PhraseSlot?[]> Campaigns { get; init; }
    public required Dictionary<string, string[]> SubjectEmoji { get; init; }
}

/// <summary>A locale's phrases with the default locale filled in slot by slot: what a composer reads per email.</summary>
internal sealed class ResolvedPhrases
{
    private readonly Dictionary<string, PhraseSlot?[]> _byCampaign;
    private readonly PhraseSlot?[] _sharedOnly;
    private readonly Dictionary<string, string> _categories;
    private readonly Dictionary<string, string[]> _emoji;
    private readonly ConcurrentDictionary<string, string> _categoryNames = new(StringComparer.Ordinal);

    private ResolvedPhrases(
        string locale, string file, PhraseLanguage language, int subjectMin, int subjectMax,
        Dictionary<string, PhraseSlot?[]> byCampaign, PhraseSlot?[] sharedOnly, Dictionary<string, string> categories, Dictionary<string, string[]> emoji)
    {
        Locale = locale;
        File = file;
        Language = language;
        SubjectMin = subjectMin;
        SubjectMax = subjectMax;
        _byCampaign = byCampaign;
        _sharedOnly = sharedOnly;
        _categories = categories;
        _emoji = emoji;
        Culture = CultureInfo.GetCultureInfo(locale);
    }

    public string Locale { get; }
    public string File { get; }
    public PhraseLanguage Language { get; }
    public CultureInfo Culture { get; }
    /// <summary>Subject length rule in text elements (what a reader counts as characters).</summary>
    public int SubjectMin { get; }
    public int SubjectMax { get; }

    /// <summary>The variants for a slot of a campaign type, or null when neither this locale nor the default has any.</summary>
    public PhraseSlot? Slot(string campaignType, int slot) =>
        (_byCampaign.TryGetValue(campaignType, out var slots) ? slots : _sharedOnly)[slot];

    /// <summary>Emoji this locale's file offers for a campaign type's subjects (none when the file lists none).</summary>
    public string[] SubjectEmoji(string campaignType) => _emoji.TryGetValue(campaignType, out var list) ? list : [];

    /// <summary>
    /// A category as readers of this locale know it: the full path's translation, else its most specific segment's,
    /// else that segment as written (<c>Kitchen &gt; Coffee &amp; Tea</c> → <c>咖啡与茶</c> in zh-CN, <c>Coffee &amp; Tea</c> in en-US).
    /// </summary>
    public string CategoryName(string path) => _categoryNames.GetOrAdd(path, static (key, self) => self.Translate(key), this);

    private string Translate(string path)
    {
        var trimmed = path.Trim();
        if (_categories.TryGetValue(trimmed, out var whole))
        {
            return whole;
        }
        var last = trimmed[(trimmed.LastIndexOf('>') + 1)..].Trim();
        return _categories.TryGetValue(last, out var segment) ? segment : last;
    }

    public static ResolvedPhrases Create(LocalePhrases own, ResolvedPhrases? fallback)
    {
        var campaigns = new HashSet<string>(own.Campaigns.Keys, StringComparer.Ordinal);
        if (fallback is not null)
        {
            campaigns.UnionWith(fallback._byCampaign.Keys);
        }
        campaigns.UnionWith(CampaignTypes.All);
        var byCampaign = new Dictionary<string, PhraseSlot?[]>(StringComparer.Ordinal);
        foreach (var campaign in campaigns)
        {
            var slots = new PhraseSlot?[SlotNames.All.Length];
            own.Campaigns.TryGetValue(campaign, out var ownSpecific);
            for (var s = 0; s < slots.Length; s++)
            {
                // Most specific first: this locale for this campaign, this locale for all campaigns, then the default locale.
                slots[s] = ownSpecific?[s] ?? own.Shared[s] ?? fallback?.Slot(campaign, s);
            }
            if (fallback is null)
            {
                for (var s = 0; s < slots.Length; s++)
                {
                    if (slots[s] is null && !SlotNames.IsOptional(s) && CampaignTypes.All.Contains(campaign))
                    {
                        throw new InvalidDataException(
                            $"{own.File}: the default locale has no '{SlotNames.All[s]}' phrases for campaign type '{campaign}' "
                            + $"(add campaigns.{campaign}.{SlotNames.All[s]} or slots.{SlotNames.All[s]}).");
                    }
                }
            }
            byCampaign[campaign] = slots;
        }
        var sharedOnly = new PhraseSlot?[SlotNames.All.Length];
        for (var s = 0; s < sharedOnly.Length; s++)
        {
            sharedOnly[s] = own.Shared[s] ?? fallback?._sharedOnly[s];
        }
        var categories = new Dictionary<string, string>(own.Categories, StringComparer.OrdinalIgnoreCase);
        return new ResolvedPhrases(
            own.Locale, own.File, own.Language,
            own.SubjectMin ?? fallback?.SubjectMin ?? 1, own.SubjectMax ?? fallback?.SubjectMax ?? 998,
            byCampaign, sharedOnly, categories, own.SubjectEmoji);
    }
}
