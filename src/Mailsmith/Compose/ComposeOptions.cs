namespace Mailsmith.Compose;

/// <summary>How <see cref="EmailComposer"/> finds its files and shapes each email. Configuration section <c>Compose</c>.</summary>
public sealed class ComposeOptions
{
    /// <summary>Locale whose phrases every other locale falls back to, slot by slot. Default <c>en-US</c>.</summary>
    public string DefaultLocale { get; init; } = "en-US";

    /// <summary>Folder holding <c>email.html.liquid</c> and <c>email.txt.liquid</c>. Default <c>null</c>: <c>&lt;AppContext.BaseDirectory&gt;/templates</c>.</summary>
    public string? TemplatesDirectory { get; init; }

    /// <summary>Folder holding one <c>&lt;locale&gt;.json</c> phrase file per locale. Default <c>null</c>: <c>&lt;AppContext.BaseDirectory&gt;/phrases</c>.</summary>
    public string? PhrasesDirectory { get; init; }

    /// <summary>Fewest product blocks an email may carry; fewer is a caller error. Default 3.</summary>
    public int MinProducts { get; init; } = 3;

    /// <summary>Most product blocks shown; extra blocks are ignored. Default 6.</summary>
    public int MaxProducts { get; init; } = 6;

    /// <summary>
    /// Whether a subject may carry an emoji. Default <c>false</c>. When on: at most one, only for recipients whose
    /// locale is exactly <c>en-US</c>, never for win-back mail, and only when the subject stays within its length rule.
    /// </summary>
    public bool EmojiInSubject { get; init; }

    /// <summary>Path of the cart page under <c>SenderOptions.StoreUrl</c>, the call to action of abandoned-cart mail. Default <c>/cart</c>.</summary>
    public string CartPath { get; init; } = "/cart";
}
