using System.Text.RegularExpressions;
using Mailsmith.Storage;

namespace Mailsmith.Profile.Segments;

/// <summary>
/// Saved segments: the one way segments get into the store, so an expression that does not parse and type-check is
/// never stored.
/// </summary>
public sealed partial class SegmentCatalog(MailsmithStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NamePattern();

    /// <summary>Checks <paramref name="expression"/> in <paramref name="context"/> and saves it as segment <paramref name="name"/>.</summary>
    /// <param name="replace">Replace the expression of an existing segment of that name instead of refusing.</param>
    /// <exception cref="ArgumentException">The name is not valid, or is taken and <paramref name="replace"/> is false.</exception>
    /// <exception cref="SegmentExpressionException">The expression is invalid; nothing was stored.</exception>
    public SegmentDefinition Create(string name, string expression, string? description, SegmentContext context, bool replace = false)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"segment name '{name}': use 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit", nameof(name));
        }
        _ = SegmentExpression.Compile(expression, context);
        var note = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        if (!store.SaveSegment(name, expression.Trim(), note, _time.GetUtcNow(), replace))
        {
            throw new ArgumentException($"segment '{name}' already exists (use --replace to change its expression, or delete it first)", nameof(name));
        }
        return store.GetSegment(name)!;
    }

    /// <summary>The segment named <paramref name="name"/> (any case).</summary>
    /// <exception cref="KeyNotFoundException">No such segment; the message suggests a near name.</exception>
    public SegmentDefinition Get(string name) => store.GetSegment(name) ?? throw NotFound(name);

    public IReadOnlyList<SegmentDefinition> List() => store.ListSegments();

    /// <summary>Deletes a segment.</summary>
    /// <exception cref="KeyNotFoundException">No such segment.</exception>
    public void Delete(string name)
    {
        if (!store.DeleteSegment(name))
        {
            throw NotFound(name);
        }
    }

    private KeyNotFoundException NotFound(string name)
    {
        var suggestion = Suggestions.Closest(name, store.ListSegments().Select(s => s.Name));
        return new KeyNotFoundException($"no segment '{name}'" + (suggestion is null ? " (see: mailsmith segment list)" : $" (did you mean '{suggestion}'?)"));
    }
}
