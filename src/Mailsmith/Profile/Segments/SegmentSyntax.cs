namespace Mailsmith.Profile.Segments;

// The untyped syntax tree the parser builds. Every node keeps its span (0-based start, length) in the expression so
// the binder can point at the exact text of an error.

/// <summary>A span of the expression text: 0-based start and length.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static TextSpan Cover(TextSpan a, TextSpan b) => new(Math.Min(a.Start, b.Start), Math.Max(a.End, b.End) - Math.Min(a.Start, b.Start));
}

/// <summary>A condition: what a segment expression is, and what and/or/not combine.</summary>
public abstract record ConditionSyntax(TextSpan Span);

public sealed record AndSyntax(ConditionSyntax Left, ConditionSyntax Right, TextSpan Span) : ConditionSyntax(Span);

public sealed record OrSyntax(ConditionSyntax Left, ConditionSyntax Right, TextSpan Span) : ConditionSyntax(Span);

public sealed record NotSyntax(ConditionSyntax Operand, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>left op right</c> with op one of <c>= != &lt; &lt;= &gt; &gt;=</c> (<c>&lt;&gt;</c> is read as <c>!=</c>).</summary>
public sealed record CompareSyntax(string Operator, ValueSyntax Left, ValueSyntax Right, TextSpan OperatorSpan, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>value [not] in (item, …)</c>.</summary>
public sealed record InSyntax(ValueSyntax Value, IReadOnlyList<ValueSyntax> Items, bool Negated, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>value [not] between low and high</c> (inclusive).</summary>
public sealed record BetweenSyntax(ValueSyntax Value, ValueSyntax Low, ValueSyntax High, bool Negated, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>value is [not] null</c>.</summary>
public sealed record IsNullSyntax(ValueSyntax Value, bool Negated, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>value [not] contains|starts_with pattern</c>.</summary>
public sealed record MatchSyntax(string Operator, ValueSyntax Value, ValueSyntax Pattern, bool Negated, TextSpan OperatorSpan, TextSpan Span) : ConditionSyntax(Span);

/// <summary>A value standing alone as a condition (a boolean field such as <c>consent</c>).</summary>
public sealed record TruthSyntax(ValueSyntax Value, TextSpan Span) : ConditionSyntax(Span);

/// <summary>An operand: a field, a function call or a literal.</summary>
public abstract record ValueSyntax(TextSpan Span);

public sealed record FieldSyntax(string Name, TextSpan Span) : ValueSyntax(Span);

public sealed record CallSyntax(string Name, IReadOnlyList<ValueSyntax> Arguments, TextSpan NameSpan, TextSpan Span) : ValueSyntax(Span);

public sealed record NumberSyntax(double Value, TextSpan Span) : ValueSyntax(Span);

public sealed record StringSyntax(string Value, TextSpan Span) : ValueSyntax(Span);

public sealed record BooleanSyntax(bool Value, TextSpan Span) : ValueSyntax(Span);

public sealed record NullSyntax(TextSpan Span) : ValueSyntax(Span);
