namespace Mailsmith.Compose;

/// <summary>
/// A template or phrase references something that has no value: an undefined Liquid variable, a phrase
/// <c>{placeholder}</c> no variant of a slot can fill, or a placeholder name the phrase files do not know.
/// </summary>
/// <remarks>
/// Thrown instead of sending an email with a hole in it. <see cref="Name"/> is the unresolved name;
/// <see cref="Location"/> is the template or phrase file (with a line when known) it came from.
/// </remarks>
public sealed class TemplateRenderException : Exception
{
    public TemplateRenderException()
    {
    }

    public TemplateRenderException(string message)
        : base(message)
    {
    }

    public TemplateRenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TemplateRenderException(string message, string? name, string? location, Exception? innerException = null)
        : base(message, innerException)
    {
        Name = name;
        Location = location;
    }

    /// <summary>The variable, placeholder or slot that did not resolve.</summary>
    public string? Name { get; }

    /// <summary>The file (and line, as <c>file:line</c>) or slot where it was referenced, when known.</summary>
    public string? Location { get; }
}
