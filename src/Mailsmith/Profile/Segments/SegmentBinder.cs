using System.Collections.Frozen;
using System.Globalization;

namespace Mailsmith.Profile.Segments;

/// <summary>
/// Checks a syntax tree against the field registry and types it: unknown fields and functions (with a "did you mean"),
/// type mismatches, wrong numbers of arguments, values outside a field's closed set, unknown category and brand names.
/// </summary>
public static class SegmentBinder
{
    /// <summary>Binds <paramref name="syntax"/>, parsed from <paramref name="expression"/>, in <paramref name="context"/>.</summary>
    /// <exception cref="SegmentExpressionException">The expression does not make sense; the message points at the part that does not.</exception>
    public static BoundCondition Bind(string expression, ConditionSyntax syntax, SegmentContext context) =>
        new Binder(expression, context).Condition(syntax);

    /// <summary>The type as messages name it ("a number", "text", …).</summary>
    public static string Describe(SegmentType type) => type switch
    {
        SegmentType.Number => "a number",
        SegmentType.Text => "text",
        SegmentType.Boolean => "a boolean",
        SegmentType.Date => "a date",
        SegmentType.CategoryList => "a list of categories",
        _ => type.ToString(),
    };

    private sealed class Binder(string source, SegmentContext context)
    {
        private SegmentExpressionException Error(TextSpan span, string reason) => new(source, span.Start, span.Length, reason);

        private string Text(TextSpan span) => source.Substring(span.Start, span.Length);

        public BoundCondition Condition(ConditionSyntax syntax) => syntax switch
        {
            AndSyntax a => new BoundAnd(Condition(a.Left), Condition(a.Right)),
            OrSyntax o => new BoundOr(Condition(o.Left), Condition(o.Right)),
            NotSyntax n => new BoundNot(Condition(n.Operand)),
            CompareSyntax c => Compare(c),
            InSyntax i => In(i),
            BetweenSyntax b => Between(b),
            IsNullSyntax n => IsNull(n),
            MatchSyntax m => Match(m),
            TruthSyntax t => Truth(t),
            _ => throw Error(syntax.Span, "unsupported condition"),
        };

        private BoundTruth Truth(TruthSyntax t)
        {
            var value = Value(t.Value);
            if (value.Type == SegmentType.Boolean)
            {
                return new BoundTruth(value);
            }
            var name = Text(t.Value.Span);
            var hint = value.Type switch
            {
                SegmentType.Number => $"compare it, e.g. {name} > 0",
                SegmentType.Date => $"compare it, e.g. {name} > days_ago(30)",
                SegmentType.CategoryList => $"e.g. {name} contains 'Shoes'",
                _ => $"compare it, e.g. {name} = '…'",
            };
            throw Error(t.Value.Span, $"{name} is {Describe(value.Type)}, not a condition ({hint})");
        }

        private BoundCompare Compare(CompareSyntax c)
        {
            if (c.Left is NullSyntax || c.Right is NullSyntax)
            {
                var at = c.Left is NullSyntax ? c.Left.Span : c.Right.Span;
                throw Error(at, $"nothing is {(c.Operator == "!=" ? "unequal" : "equal")} to null: write 'is {(c.Operator == "!=" ? "not " : "")}null'");
            }
            var left = Value(c.Left);
            var right = Value(c.Right);
            (left, right) = (Coerce(left, c.Left, right.Type), Coerce(right, c.Right, left.Type));
            if (left.Type == SegmentType.CategoryList || right.Type == SegmentType.CategoryList)
            {
                var list = left.Type == SegmentType.CategoryList ? c.Left : c.Right;
                throw Error(list.Span, $"{Text(list.Span)} is a list of categories: write {Text(list.Span)} contains 'Shoes'");
            }
            if (left.Type != right.Type)
            {
                throw Mismatch(c.Left, left, c.Right, right);
            }
            if (c.Operator is not ("=" or "!=") && left.Type is SegmentType.Text or SegmentType.Boolean)
            {
                throw Error(c.OperatorSpan, $"'{c.Operator}' compares numbers or dates; {Text(c.Left.Span)} is {Describe(left.Type)} (use = or != or in)");
            }
            CheckClosedSet(left, c.Right);
            CheckClosedSet(right, c.Left);
            return new BoundCompare(c.Operator, left, right);
        }

        private BoundIn In(InSyntax i)
        {
            var value = Value(i.Value);
            if (value.Type == SegmentType.CategoryList)
            {
                throw Error(i.Value.Span, $"{Text(i.Value.Span)} is a list of categories: write {Text(i.Value.Span)} contains 'Shoes'");
            }
            var items = new List<BoundConstant>();
            foreach (var item in i.Items)
            {
                if (item is NullSyntax)
                {
                    throw Error(item.Span, "null cannot be listed: write 'is null' for a missing value");
                }
                if (item is not (NumberSyntax or StringSyntax or BooleanSyntax))
                {
                    throw Error(item.Span, "a list after 'in' holds literal values ('a', 2, true)");
                }
                var bound = Coerce(Value(item), item, value.Type);
                if (bound.Type != value.Type)
                {
                    throw Mismatch(i.Value, value, item, bound);
                }
                CheckClosedSet(value, item);
                items.Add((BoundConstant)bound);
            }
            return new BoundIn(value, items, i.Negated);
        }

        private BoundBetween Between(BetweenSyntax b)
        {
            var value = Value(b.Value);
            if (value.Type is not (SegmentType.Number or SegmentType.Date))
            {
                throw Error(b.Value.Span, $"'between' needs a number or a date; {Text(b.Value.Span)} is {Describe(value.Type)}");
            }
            var low = Coerce(Value(b.Low), b.Low, value.Type);
            var high = Coerce(Value(b.High), b.High, value.Type);
            if (low.Type != value.Type)
            {
                throw Mismatch(b.Value, value, b.Low, low);
            }
            if (high.Type != value.Type)
            {
                throw Mismatch(b.Value, value, b.High, high);
            }
            if (low is BoundConstant l && high is BoundConstant h && l.Number > h.Number)
            {
                throw Error(TextSpan.Cover(b.Low.Span, b.High.Span), $"'between {Text(b.Low.Span)} and {Text(b.High.Span)}' is empty: the low end comes first");
            }
            return new BoundBetween(value, low, high, b.Negated);
        }

        private BoundIsNull IsNull(IsNullSyntax n)
        {
            if (n.Value is not FieldSyntax)
            {
                throw Error(n.Value.Span, $"'is {(n.Negated ? "not " : "")}null' tests a field; {Text(n.Value.Span)} is not one");
            }
            return new BoundIsNull(Value(n.Value), n.Negated);
        }

        private BoundMatch Match(MatchSyntax m)
        {
            var value = Value(m.Value);
            var pattern = Value(m.Pattern);
            if (value.Type == SegmentType.CategoryList && m.Operator == "contains")
            {
                if (pattern.Type != SegmentType.Text)
                {
                    throw Error(m.Pattern.Span, $"'contains' on {Text(m.Value.Span)} takes a category name as text, not {Describe(pattern.Type)}");
                }
                if (pattern is BoundConstant { Text: { } category })
                {
                    pattern = new BoundConstant(SegmentType.Text, Text: Category(category, m.Pattern.Span));
                }
                return new BoundMatch(m.Operator, value, pattern, m.Negated);
            }
            if (value.Type != SegmentType.Text)
            {
                throw Error(m.Value.Span, $"'{m.Operator}' needs text; {Text(m.Value.Span)} is {Describe(value.Type)}");
            }
            if (pattern.Type != SegmentType.Text)
            {
                throw Mismatch(m.Value, value, m.Pattern, pattern);
            }
            return new BoundMatch(m.Operator, value, pattern, m.Negated);
        }

        private BoundValue Value(ValueSyntax syntax) => syntax switch
        {
            NumberSyntax n => new BoundConstant(SegmentType.Number, Number: n.Value),
            StringSyntax s => new BoundConstant(SegmentType.Text, Text: s.Value),
            BooleanSyntax b => new BoundConstant(SegmentType.Boolean, Boolean: b.Value),
            NullSyntax n => throw Error(n.Span, "null is not a value here: write 'is null' for a missing value"),
            FieldSyntax f => Field(f),
            CallSyntax c => Call(c),
            _ => throw Error(syntax.Span, "unsupported value"),
        };

        private BoundField Field(FieldSyntax f)
        {
            if (SegmentFields.Find(f.Name) is { } field)
            {
                return new BoundField(field);
            }
            if (SegmentFields.FindFunction(f.Name) is { } function)
            {
                throw Error(f.Span, $"{function.Name} is a function: write {function.Signature}");
            }
            var suggestion = Suggestions.Closest(f.Name, SegmentFields.All.Select(x => x.Name));
            throw Error(f.Span, suggestion is null
                ? $"unknown field '{f.Name}' (every field is listed by 'mailsmith segment fields' and in docs/segments.md)"
                : $"unknown field '{f.Name}' (did you mean '{suggestion}'?)");
        }

        private BoundValue Call(CallSyntax c)
        {
            var function = SegmentFields.FindFunction(c.Name);
            if (function is null)
            {
                if (SegmentFields.Find(c.Name) is { } field)
                {
                    throw Error(c.NameSpan, $"{field.Name} is a field, not a function: write it without parentheses");
                }
                var suggestion = Suggestions.Closest(c.Name, SegmentFields.Functions.Select(x => x.Name));
                throw Error(c.NameSpan, $"unknown function '{c.Name}'" + (suggestion is null
                    ? $" (functions: {string.Join(", ", SegmentFields.Functions.Select(x => x.Signature))})"
                    : $" (did you mean '{suggestion}'?)"));
            }
            if (c.Arguments.Count < function.Required || c.Arguments.Count > function.Parameters.Count)
            {
                var takes = function.Parameters.Count switch { 0 => "no arguments", 1 => "1 argument", var n => $"{n} arguments" };
                takes = function.Optional > 0 ? $"{function.Required} to {function.Parameters.Count} arguments" : takes;
                throw Error(c.Span, $"{function.Name} takes {takes} ({function.Signature}), not {c.Arguments.Count}");
            }
            var args = new List<BoundConstant>();
            for (var i = 0; i < c.Arguments.Count; i++)
            {
                var (name, type) = function.Parameters[i];
                var arg = c.Arguments[i];
                var bound = arg is NullSyntax ? null : Value(arg);
                if (bound is not BoundConstant constant)
                {
                    throw Error(arg.Span, $"{function.Signature}: {name} must be a literal {(type == SegmentType.Text ? "text such as 'Shoes'" : "number such as 30")}");
                }
                if (constant.Type != type)
                {
                    throw Error(arg.Span, $"{function.Signature}: {name} must be {Describe(type)}, not {Describe(constant.Type)}");
                }
                args.Add(constant);
            }
            var asOfDay = DateOnly.FromDateTime(context.AsOf.UtcDateTime).DayNumber;
            switch (function.Name)
            {
                case "affinity":
                    return new BoundAffinity(false, CategoryKeys(Category(args[0].Text!, c.Arguments[0].Span)));
                case "brand_affinity":
                    return new BoundAffinity(true, BrandKeys(args[0].Text!, c.Arguments[0].Span));
                case "days_ago" or "days_ahead":
                    var days = args[0].Number;
                    if (days < 0 || days != Math.Floor(days) || days > 100_000)
                    {
                        throw Error(c.Arguments[0].Span, $"{function.Name}(days): days must be a whole number of days, 0 or more, not {Text(c.Arguments[0].Span)}");
                    }
                    return new BoundConstant(SegmentType.Date, Number: function.Name == "days_ago" ? asOfDay - days : asOfDay + days);
                case "today":
                    return new BoundConstant(SegmentType.Date, Number: asOfDay);
                case "bought":
                    var from = int.MinValue;
                    if (args.Count > 1)
                    {
                        var window = args[1].Number;
                        if (window < 0 || window != Math.Floor(window) || window > 100_000)
                        {
                            throw Error(c.Arguments[1].Span, $"{function.Signature}: days must be a whole number of days, 0 or more, not {Text(c.Arguments[1].Span)}");
                        }
                        from = asOfDay - (int)window;
                    }
                    var products = Bought(args[0].Text!, c.Arguments[0].Span);
                    return new BoundBought(products, from, asOfDay, $"{string.Join('\u0001', products.Order(StringComparer.Ordinal))}|{from}|{asOfDay}");
                default:
                    throw Error(c.NameSpan, $"function {function.Name} has no implementation");
            }
        }

        /// <summary>
        /// The product ids <c>bought(what)</c> means: <c>category:PATH</c> every product at or under that level, <c>brand:NAME</c>
        /// every product of that brand, otherwise one product id. Checked against the catalog like affinity names.
        /// </summary>
        private FrozenSet<string> Bought(string what, TextSpan span)
        {
            var colon = what.IndexOf(':', StringComparison.Ordinal);
            var kind = colon > 0 ? what[..colon].Trim().ToLowerInvariant() : "";
            var name = colon > 0 ? what[(colon + 1)..].Trim() : what.Trim();
            if (name.Length == 0)
            {
                throw Error(span, $"bought('{what}'): an empty {(kind.Length > 0 ? kind : "product id")}");
            }
            switch (kind)
            {
                case "category":
                    var path = Category(name, span);
                    return context.Products.Where(p => CategoryPath.IsAtOrUnder(p.Category, path)).Select(p => p.ProductId).ToFrozenSet(StringComparer.Ordinal);
                case "brand":
                    var brand = BrandKeys(name, span)[0];
                    return context.Products.Where(p => p.Brand is { } b && b.Trim().Equals(brand, StringComparison.OrdinalIgnoreCase)).Select(p => p.ProductId).ToFrozenSet(StringComparer.Ordinal);
                case "" or "product" or "sku":
                    if (context.Products.Count > 0 && context.CheckNames && !context.Products.Any(p => p.ProductId == name))
                    {
                        var suggestion = Suggestions.Closest(name, context.Products.Select(p => p.ProductId));
                        throw Error(span, $"unknown product '{name}'" + (suggestion is null ? " (no product in the catalog has that id; 'category:…' and 'brand:…' name groups)" : $" (did you mean '{suggestion}'?)"));
                    }
                    return new[] { name }.ToFrozenSet(StringComparer.Ordinal);
                default:
                    var prefix = Suggestions.Closest(kind, ["category", "brand", "product"]);
                    throw Error(span, $"bought('{what}'): unknown kind '{what[..colon]}'" + (prefix is null
                        ? " (write a product id, 'category:PATH' or 'brand:NAME')"
                        : $" (did you mean '{prefix}:'?)"));
            }
        }

        /// <summary>The catalog's spelling of a category path; unchecked (only normalized) without a catalog.</summary>
        private string Category(string name, TextSpan span)
        {
            var normalized = CategoryPath.Normalize(name);
            if (normalized.Length == 0)
            {
                throw Error(span, "an empty category name");
            }
            if (context.Categories.Count == 0)
            {
                return normalized;
            }
            if (context.Categories.TryGetValue(normalized, out var actual))
            {
                return actual;
            }
            if (!context.CheckNames)
            {
                return normalized;
            }
            // A leaf written alone ('Running' for 'Shoes > Running') is the likeliest slip: suggest its full path first.
            // Then a near full path, then a near last level ('Kitchn' for 'Home > Kitchen').
            var byLeaf = context.Categories.OrderBy(c => c.Length).ThenBy(c => c, StringComparer.Ordinal)
                .GroupBy(c => CategoryPath.Split(c)[^1], StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
            var suggestion = byLeaf.GetValueOrDefault(normalized) ?? Suggestions.Closest(normalized, context.Categories)
                ?? (Suggestions.Closest(normalized, byLeaf.Keys) is { } leaf ? byLeaf[leaf] : null);
            throw Error(span, $"unknown category '{name}'" + (suggestion is null ? " (not a category or parent category of any product)" : $" (did you mean '{suggestion}'?)"));
        }

        private static string[] CategoryKeys(string canonical)
        {
            var parts = CategoryPath.Split(canonical);
            return new[] { canonical, string.Join('/', parts), string.Join('>', parts), string.Join(" / ", parts) }.Distinct(StringComparer.Ordinal).ToArray();
        }

        private string[] BrandKeys(string name, TextSpan span)
        {
            var trimmed = name.Trim();
            if (trimmed.Length == 0)
            {
                throw Error(span, "an empty brand name");
            }
            if (context.Brands.TryGetValue(trimmed, out var actual))
            {
                return actual == trimmed ? [actual] : [actual, trimmed];
            }
            if (context.CheckNames && context.Brands.Count > 0)
            {
                var suggestion = Suggestions.Closest(trimmed, context.Brands);
                throw Error(span, $"unknown brand '{name}'" + (suggestion is null ? " (no product has it)" : $" (did you mean '{suggestion}'?)"));
            }
            return [trimmed];
        }

        /// <summary>A text literal where a date is expected becomes that date; anything else is left for the type check.</summary>
        private BoundValue Coerce(BoundValue value, ValueSyntax syntax, SegmentType expected)
        {
            if (expected == SegmentType.Date && value is BoundConstant { Type: SegmentType.Text, Text: { } text })
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    throw Error(syntax.Span, $"'{text}' is not a date: write 'yyyy-MM-dd', e.g. '2026-01-31'");
                }
                return new BoundConstant(SegmentType.Date, Number: date.DayNumber);
            }
            return value;
        }

        private SegmentExpressionException Mismatch(ValueSyntax leftSyntax, BoundValue left, ValueSyntax rightSyntax, BoundValue right)
        {
            // Point at the side that is not a field (usually the literal the user typed); otherwise at the right side.
            var blame = rightSyntax is FieldSyntax && leftSyntax is not FieldSyntax ? leftSyntax : rightSyntax;
            var hint = "";
            var literal = blame == rightSyntax ? right : left;
            var other = blame == rightSyntax ? left : right;
            if (literal is BoundConstant { Type: SegmentType.Text, Text: { } t } && other.Type == SegmentType.Number
                && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                hint = $" (write {t} without quotes)";
            }
            else if (literal is BoundConstant { Type: SegmentType.Number or SegmentType.Boolean } && other.Type == SegmentType.Text)
            {
                hint = $" (quote it: '{Text(blame.Span)}')";
            }
            return Error(blame.Span, $"type mismatch: {Text(leftSyntax.Span)} is {Describe(left.Type)} but {Text(rightSyntax.Span)} is {Describe(right.Type)}{hint}");
        }

        /// <summary>A text literal compared with a field that has a closed set of values must be one of them.</summary>
        private void CheckClosedSet(BoundValue value, ValueSyntax literal)
        {
            if (value is BoundField { Field.Values: { } values } bound && literal is StringSyntax s
                && !values.Contains(s.Value, StringComparer.OrdinalIgnoreCase))
            {
                var suggestion = Suggestions.Closest(s.Value, values);
                throw Error(s.Span, $"unknown {bound.Field.Name} '{s.Value}'" + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)")
                    + $"; {bound.Field.Name} is one of: {string.Join(", ", values)}");
            }
        }
    }
}
