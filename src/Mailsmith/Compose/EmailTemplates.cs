using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;

namespace Mailsmith.Compose;

/// <summary>
/// The HTML and plain-text layouts, parsed once. <see cref="TemplateOptions"/> and the parsed templates are immutable
/// and shared by every thread; each render gets its own <see cref="TemplateContext"/>.
/// </summary>
internal sealed class EmailTemplates
{
    public const string HtmlFile = "email.html.liquid";
    public const string TextFile = "email.txt.liquid";

    // Escapes markup (<, >, &, quotes) like HtmlEncoder.Default but leaves CJK and accented letters as they are,
    // so a Chinese email is readable text rather than a page of &#x…; references.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly TemplateOptions _options;
    private readonly IFluidTemplate _html;
    private readonly IFluidTemplate _text;

    private EmailTemplates(TemplateOptions options, IFluidTemplate html, IFluidTemplate text)
    {
        _options = options;
        _html = html;
        _text = text;
    }

    /// <exception cref="FileNotFoundException">A layout is missing.</exception>
    /// <exception cref="InvalidDataException">A layout is not valid Liquid; the message names the file, line and column.</exception>
    public static EmailTemplates Load(string directory)
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.SnakeCase;
        options.MemberAccessStrategy.Register<EmailDraft>();
        options.MemberAccessStrategy.Register<DraftProduct>();
        options.MemberAccessStrategy.Register<PhraseChoice>();
        // No hole reaches an email: an unknown variable or member stops the render and names itself.
        options.Undefined = static name => throw new TemplateRenderException($"Template variable '{name}' is not defined.", name, null);
        var parser = new FluidParser();
        return new EmailTemplates(options, Parse(parser, directory, HtmlFile), Parse(parser, directory, TextFile));
    }

    private static IFluidTemplate Parse(FluidParser parser, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Email layout '{path}' is missing.", path);
        }
        if (!parser.TryParse(File.ReadAllText(path), out var template, out var error))
        {
            throw new InvalidDataException($"{name}: {error}");
        }
        return template;
    }

    /// <summary>Lays out <paramref name="draft"/> as HTML (every value escaped) and as plain text (values as written).</summary>
    /// <exception cref="TemplateRenderException">A layout uses a variable the draft does not have.</exception>
    public (string Html, string Text) Render(EmailDraft draft) => (Render(_html, HtmlFile, draft, Html), Render(_text, TextFile, draft, NullEncoder.Default));

    private string Render(IFluidTemplate template, string name, EmailDraft draft, TextEncoder encoder)
    {
        var context = new TemplateContext(draft, _options, allowModelMembers: false);
        try
        {
            return template.Render(context, encoder);
        }
        catch (TemplateRenderException e)
        {
            throw new TemplateRenderException($"{name}: template variable '{e.Name}' is not defined.", e.Name, name, e);
        }
    }
}
