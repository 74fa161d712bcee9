using System.Text;

namespace Mailsmith.Profile.Segments;

/// <summary>
/// A segment expression that does not parse or does not make sense: a syntax error, an unknown field or function, a
/// type mismatch, a wrong number of arguments. <see cref="Exception.Message"/> names the problem and its 1-based column,
/// then shows the expression with a caret line under the offending part.
/// </summary>
public sealed class SegmentExpressionException : FormatException
{
    public SegmentExpressionException(string expression, int start, int length, string reason)
        : base(Format(expression, start, length, reason))
    {
        Expression = expression;
        Column = start + 1;
        Length = Math.Max(1, length);
        Reason = reason;
    }

    public SegmentExpressionException()
    {
        Expression = "";
        Reason = "";
    }

    public SegmentExpressionException(string message) : base(message)
    {
        Expression = "";
        Reason = message;
    }

    public SegmentExpressionException(string message, Exception innerException) : base(message, innerException)
    {
        Expression = "";
        Reason = message;
    }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>1-based column (character position) where the problem starts.</summary>
    public int Column { get; }

    /// <summary>How many characters the problem spans (at least 1).</summary>
    public int Length { get; }

    /// <summary>The problem without the position and caret lines.</summary>
    public string Reason { get; }

    private static string Format(string expression, int start, int length, string reason)
    {
        // Tabs and line breaks would misalign the caret: show them as spaces (columns are unchanged, one per character).
        var shown = new StringBuilder(expression.Length);
        foreach (var ch in expression)
        {
            shown.Append(char.IsWhiteSpace(ch) ? ' ' : ch);
        }
        var caret = new string(' ', start) + new string('^', Math.Max(1, Math.Min(length, Math.Max(1, expression.Length - start))));
        return $"{reason} (column {start + 1}){Environment.NewLine}  {shown}{Environment.NewLine}  {caret}";
    }
}
