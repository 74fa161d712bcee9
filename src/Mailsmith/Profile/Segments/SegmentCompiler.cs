namespace Mailsmith.Profile.Segments;

/// <summary>How a compiled predicate reads values from its rows: the registry's accessors on a <see cref="SegmentRow"/>,
/// or a population's columns by row index (<see cref="SegmentPopulation"/>).</summary>
/// <typeparam name="T">What the predicate is applied to.</typeparam>
internal interface ISegmentAccessors<T>
{
    /// <summary>A number or date (day number); NaN when missing.</summary>
    Func<T, double> Number(SegmentField field);

    Func<T, string?> Text(SegmentField field);

    Func<T, bool?> Boolean(SegmentField field);

    Func<T, IReadOnlyList<string>> List(SegmentField field);

    /// <summary>The affinity the keys name; 0 when none.</summary>
    Func<T, double> Affinity(BoundAffinity affinity);

    /// <summary>Whether the row bought one of the products in the window (never null).</summary>
    Func<T, bool?> Bought(BoundBought bought);
}

/// <summary>The registry's own accessors, for one row at a time.</summary>
internal sealed class RowAccessors : ISegmentAccessors<SegmentRow>
{
    public static RowAccessors Instance { get; } = new();

    public Func<SegmentRow, double> Number(SegmentField field) => field.Number!;

    public Func<SegmentRow, string?> Text(SegmentField field) => field.Text!;

    public Func<SegmentRow, bool?> Boolean(SegmentField field) => field.Boolean!;

    public Func<SegmentRow, IReadOnlyList<string>> List(SegmentField field) => field.List!;

    public Func<SegmentRow, double> Affinity(BoundAffinity affinity)
    {
        var keys = affinity.Keys.ToArray();
        var brand = affinity.Brand;
        return row => SegmentCompiler.Lookup(brand ? row.Profile.BrandAffinity : row.Profile.CategoryAffinity, keys);
    }

    public Func<SegmentRow, bool?> Bought(BoundBought bought) => row => SegmentCompiler.Bought(row, bought);
}

/// <summary>
/// Turns a bound tree into a predicate over <see cref="SegmentRow"/>: a tree of closures over the registry's typed
/// accessors, with constants captured and the common "field op constant" shapes specialized, so evaluating a row
/// neither boxes nor allocates.
/// </summary>
/// <remarks>
/// Null semantics: a comparison, <c>in</c>, <c>between</c> or <c>contains</c> with a missing value is false (so are
/// <c>!=</c> and <c>not in</c>); <c>is null</c> is true; <c>not</c> flips its operand's result, so <c>not (x &gt; 1)</c> holds
/// for a missing x. Text comparisons ignore case.
/// </remarks>
public static class SegmentCompiler
{
    public static Func<SegmentRow, bool> Compile(BoundCondition condition) => new SegmentCompiler<SegmentRow>(RowAccessors.Instance).Compile(condition);

    /// <summary>Whether one of <paramref name="row"/>'s purchases is of <paramref name="bought"/>'s products within its days.</summary>
    internal static bool Bought(SegmentRow row, BoundBought bought)
    {
        if (row.Purchases is not { Length: > 0 } purchases || bought.Products.Count == 0)
        {
            return false;
        }
        foreach (var p in purchases)
        {
            if (p.Day >= bought.FromDay && p.Day <= bought.ToDay && bought.Products.Contains(p.ProductId))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The value of the first of <paramref name="keys"/> in <paramref name="map"/>; 0 when none is there.</summary>
    internal static double Lookup(IReadOnlyDictionary<string, double> map, string[] keys)
    {
        if (map.Count == 0)
        {
            return 0;
        }
        foreach (var key in keys)
        {
            if (map.TryGetValue(key, out var v))
            {
                return v;
            }
        }
        return 0;
    }
}

/// <summary>The compiler over any row type <typeparamref name="T"/>, reading values through <see cref="ISegmentAccessors{T}"/>.</summary>
internal sealed class SegmentCompiler<T>(ISegmentAccessors<T> accessors)
{
    public Func<T, bool> Compile(BoundCondition condition) => condition switch
    {
        BoundAnd a => And(Compile(a.Left), Compile(a.Right)),
        BoundOr o => Or(Compile(o.Left), Compile(o.Right)),
        BoundNot n => Not(Compile(n.Operand)),
        BoundCompare c => Compare(c),
        BoundIn i => In(i),
        BoundBetween b => Between(b),
        BoundIsNull n => IsNull(n),
        BoundMatch m => Match(m),
        BoundTruth t => Truth(t),
        _ => throw new ArgumentException($"unsupported condition {condition.GetType().Name}", nameof(condition)),
    };

    private Func<T, bool> And(Func<T, bool> l, Func<T, bool> r) => row => l(row) && r(row);

    private Func<T, bool> Or(Func<T, bool> l, Func<T, bool> r) => row => l(row) || r(row);

    private Func<T, bool> Not(Func<T, bool> f) => row => !f(row);

    private Func<T, double> Number(BoundValue value) => value switch
    {
        BoundField f => accessors.Number(f.Field),
        BoundConstant c => _ => c.Number,
        BoundAffinity a => accessors.Affinity(a),
        _ => throw new ArgumentException($"{value} is not a number", nameof(value)),
    };

    private Func<T, string?> Text(BoundValue value) => value switch
    {
        BoundField f => accessors.Text(f.Field),
        BoundConstant c => _ => c.Text,
        _ => throw new ArgumentException($"{value} is not text", nameof(value)),
    };

    private Func<T, bool?> Boolean(BoundValue value) => value switch
    {
        BoundField f => accessors.Boolean(f.Field),
        BoundConstant c => _ => c.Boolean,
        BoundBought b => accessors.Bought(b),
        _ => throw new ArgumentException($"{value} is not a boolean", nameof(value)),
    };

    private Func<T, bool> Compare(BoundCompare c)
    {
        switch (c.Left.Type)
        {
            case SegmentType.Number or SegmentType.Date:
                if (c.Right is BoundConstant k)
                {
                    return CompareNumber(c.Operator, Number(c.Left), k.Number);
                }
                if (c.Left is BoundConstant k2)
                {
                    return CompareNumber(Flip(c.Operator), Number(c.Right), k2.Number);
                }
                var l = Number(c.Left);
                var r = Number(c.Right);
                return c.Operator switch
                {
                    "=" => row => l(row) == r(row),
                    "!=" => row => l(row) is var a && r(row) is var b && !double.IsNaN(a) && !double.IsNaN(b) && a != b,
                    "<" => row => l(row) < r(row),
                    "<=" => row => l(row) <= r(row),
                    ">" => row => l(row) > r(row),
                    ">=" => row => l(row) >= r(row),
                    _ => throw new ArgumentException($"operator {c.Operator}", nameof(c)),
                };
            case SegmentType.Text:
                var lt = Text(c.Left);
                var rt = Text(c.Right);
                return c.Operator == "="
                    ? row => lt(row) is { } a && rt(row) is { } b && a.Equals(b, StringComparison.OrdinalIgnoreCase)
                    : row => lt(row) is { } a && rt(row) is { } b && !a.Equals(b, StringComparison.OrdinalIgnoreCase);
            case SegmentType.Boolean:
                var lb = Boolean(c.Left);
                var rb = Boolean(c.Right);
                return c.Operator == "="
                    ? row => lb(row) is { } a && rb(row) is { } b && a == b
                    : row => lb(row) is { } a && rb(row) is { } b && a != b;
            default:
                throw new ArgumentException($"cannot compare {c.Left.Type}", nameof(c));
        }
    }

    private static string Flip(string op) => op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };

    // NaN (missing) makes every IEEE comparison false except !=, which is why != checks it explicitly.
    private Func<T, bool> CompareNumber(string op, Func<T, double> f, double k) => op switch
    {
        "=" => row => f(row) == k,
        "!=" => row => f(row) is var v && !double.IsNaN(v) && v != k,
        "<" => row => f(row) < k,
        "<=" => row => f(row) <= k,
        ">" => row => f(row) > k,
        ">=" => row => f(row) >= k,
        _ => throw new ArgumentException($"operator {op}", nameof(op)),
    };

    private Func<T, bool> In(BoundIn i)
    {
        Func<T, bool> holds;
        Func<T, bool> present;
        switch (i.Value.Type)
        {
            case SegmentType.Number or SegmentType.Date:
                var numbers = i.Items.Select(x => x.Number).ToHashSet();
                var f = Number(i.Value);
                holds = row => numbers.Contains(f(row));
                present = row => !double.IsNaN(f(row));
                break;
            case SegmentType.Text:
                var texts = i.Items.Select(x => x.Text!).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var t = Text(i.Value);
                holds = row => t(row) is { } s && texts.Contains(s);
                present = row => t(row) is not null;
                break;
            case SegmentType.Boolean:
                var bools = i.Items.Select(x => x.Boolean).ToHashSet();
                var b = Boolean(i.Value);
                holds = row => b(row) is { } v && bools.Contains(v);
                present = row => b(row) is not null;
                break;
            default:
                throw new ArgumentException($"cannot test membership of {i.Value.Type}", nameof(i));
        }
        return i.Negated ? row => present(row) && !holds(row) : holds;
    }

    private Func<T, bool> Between(BoundBetween b)
    {
        var f = Number(b.Value);
        Func<T, bool> inside;
        if (b.Low is BoundConstant lo && b.High is BoundConstant hi)
        {
            var (l, h) = (lo.Number, hi.Number);
            inside = row => f(row) is var v && v >= l && v <= h;
        }
        else
        {
            var l = Number(b.Low);
            var h = Number(b.High);
            inside = row => f(row) is var v && v >= l(row) && v <= h(row);
        }
        if (!b.Negated)
        {
            return inside;
        }
        if (b.Low is BoundConstant && b.High is BoundConstant)
        {
            return row => !double.IsNaN(f(row)) && !inside(row);
        }
        var low = Number(b.Low);
        var high = Number(b.High);
        return row => !double.IsNaN(f(row)) && !double.IsNaN(low(row)) && !double.IsNaN(high(row)) && !inside(row);
    }

    private Func<T, bool> IsNull(BoundIsNull n)
    {
        var field = ((BoundField)n.Value).Field;
        Func<T, bool> missing;
        switch (field.Type)
        {
            case SegmentType.Number or SegmentType.Date:
                var number = accessors.Number(field);
                missing = row => double.IsNaN(number(row));
                break;
            case SegmentType.Text:
                var text = accessors.Text(field);
                missing = row => text(row) is null;
                break;
            case SegmentType.Boolean:
                var boolean = accessors.Boolean(field);
                missing = row => boolean(row) is null;
                break;
            case SegmentType.CategoryList:
                // An empty list counts as missing.
                var list = accessors.List(field);
                missing = row => list(row).Count == 0;
                break;
            default:
                throw new ArgumentException($"unsupported field type {field.Type}", nameof(n));
        }
        return n.Negated ? row => !missing(row) : missing;
    }

    private Func<T, bool> Match(BoundMatch m)
    {
        Func<T, bool> holds;
        Func<T, bool> present;
        var pattern = Text(m.Pattern);
        if (m.Value.Type == SegmentType.CategoryList)
        {
            var list = accessors.List(((BoundField)m.Value).Field);
            if (m.Pattern is BoundConstant { Text: { } level })
            {
                // The usual case: a constant category; paths in the catalog's own format match by prefix without splitting.
                var prefix = level + CategoryPath.Separator;
                holds = row =>
                {
                    var paths = list(row);
                    for (var i = 0; i < paths.Count; i++)
                    {
                        var path = paths[i];
                        if (path.Equals(level, StringComparison.OrdinalIgnoreCase) || path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                            || (!path.Contains(CategoryPath.Separator, StringComparison.Ordinal) && CategoryPath.IsAtOrUnder(path, level)))
                        {
                            return true;
                        }
                    }
                    return false;
                };
            }
            else
            {
                holds = row => pattern(row) is { } p && AnyAtOrUnder(list(row), p);
            }
            present = row => pattern(row) is not null;
        }
        else
        {
            var text = Text(m.Value);
            holds = m.Operator == "contains"
                ? row => text(row) is { } s && pattern(row) is { } p && s.Contains(p, StringComparison.OrdinalIgnoreCase)
                : row => text(row) is { } s && pattern(row) is { } p && s.StartsWith(p, StringComparison.OrdinalIgnoreCase);
            present = row => text(row) is not null && pattern(row) is not null;
        }
        return m.Negated ? row => present(row) && !holds(row) : holds;
    }

    private static bool AnyAtOrUnder(IReadOnlyList<string> paths, string level)
    {
        for (var i = 0; i < paths.Count; i++)
        {
            if (CategoryPath.IsAtOrUnder(paths[i], level))
            {
                return true;
            }
        }
        return false;
    }

    private Func<T, bool> Truth(BoundTruth t)
    {
        var b = Boolean(t.Value);
        return row => b(row) == true;
    }
}
