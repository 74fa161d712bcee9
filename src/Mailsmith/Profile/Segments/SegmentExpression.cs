namespace Mailsmith.Profile.Segments;

/// <summary>
/// A parsed, checked and compiled segment expression: the predicate a segment applies to each customer.
/// Immutable and thread-safe; compile once, evaluate on every row.
/// </summary>
public sealed class SegmentExpression
{
    private SegmentExpression(string text, ConditionSyntax syntax, BoundCondition bound, Func<SegmentRow, bool> predicate)
    {
        Text = text;
        Syntax = syntax;
        Bound = bound;
        Predicate = predicate;
        Fields = Referenced(bound).Distinct().ToList();
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    public ConditionSyntax Syntax { get; }

    public BoundCondition Bound { get; }

    /// <summary>The compiled predicate.</summary>
    public Func<SegmentRow, bool> Predicate { get; }

    /// <summary>The registry fields the expression reads, in order of first use.</summary>
    public IReadOnlyList<SegmentField> Fields { get; }

    /// <summary>Parses, checks and compiles <paramref name="expression"/>.</summary>
    /// <exception cref="SegmentExpressionException">A syntax error, an unknown name, a type mismatch or a wrong number of arguments.</exception>
    public static SegmentExpression Compile(string expression, SegmentContext context)
    {
        var syntax = SegmentParser.Parse(expression);
        var bound = SegmentBinder.Bind(expression, syntax, context);
        return new SegmentExpression(expression, syntax, bound, SegmentCompiler.Compile(bound));
    }

    /// <summary>Whether <paramref name="row"/> belongs to the segment.</summary>
    public bool Matches(SegmentRow row) => Predicate(row);

    private static IEnumerable<SegmentField> Referenced(BoundCondition c) => c switch
    {
        BoundAnd a => Referenced(a.Left).Concat(Referenced(a.Right)),
        BoundOr o => Referenced(o.Left).Concat(Referenced(o.Right)),
        BoundNot n => Referenced(n.Operand),
        BoundCompare x => FieldsOf(x.Left, x.Right),
        BoundIn i => FieldsOf(i.Value),
        BoundBetween b => FieldsOf(b.Value, b.Low, b.High),
        BoundIsNull n => FieldsOf(n.Value),
        BoundMatch m => FieldsOf(m.Value, m.Pattern),
        BoundTruth t => FieldsOf(t.Value),
        _ => [],
    };

    private static IEnumerable<SegmentField> FieldsOf(params BoundValue[] values) => values.OfType<BoundField>().Select(f => f.Field);
}
