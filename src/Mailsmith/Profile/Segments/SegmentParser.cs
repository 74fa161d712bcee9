using System.Globalization;
using System.Text;

namespace Mailsmith.Profile.Segments;

/// <summary>
/// Tokenizer and recursive-descent parser of the segment language (grammar in docs/segments.md). Keywords are
/// case-insensitive. The result is an untyped <see cref="ConditionSyntax"/>; <see cref="SegmentBinder"/> checks it.
/// </summary>
/// <remarks>
/// Grammar, loosest first:
/// <code>
/// or        := and ('or' and)*
/// and       := not ('and' not)*
/// not       := 'not' not | primary
/// primary   := '(' or ')' | value [ op value | ['not'] 'in' '(' value (',' value)* ')'
///              | ['not'] 'between' value 'and' value | 'is' ['not'] 'null' | ['not'] ('contains'|'starts_with') value ]
/// value     := number | string | 'true' | 'false' | 'null' | name | name '(' [value (',' value)*] ')'
/// </code>
/// </remarks>
public static class SegmentParser
{
    /// <summary>Parses <paramref name="expression"/>.</summary>
    /// <exception cref="SegmentExpressionException">A syntax error; the message gives its column and a caret line.</exception>
    public static ConditionSyntax Parse(string expression)
    {
        var parser = new Parser(expression, Tokenize(expression));
        return parser.ParseExpression();
    }

    internal enum TokenKind
    {
        Name,
        Number,
        String,
        Operator,
        OpenParen,
        CloseParen,
        Comma,
        End,
    }

    internal readonly record struct Token(TokenKind Kind, string Text, TextSpan Span, double Number = 0)
    {
        public bool IsKeyword(string keyword) => Kind == TokenKind.Name && Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        public string Describe() => Kind switch
        {
            TokenKind.End => "the end of the expression",
            TokenKind.String => $"the text '{Text}'",
            _ => $"'{Text}'",
        };
    }

    private static readonly string[] Keywords = ["and", "or", "not", "in", "between", "is", "null", "true", "false", "contains", "starts_with"];

    internal static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Name, s[start..i], new TextSpan(start, i - start)));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
                || (c == '-' && i + 1 < s.Length && (char.IsAsciiDigit(s[i + 1]) || s[i + 1] == '.') && NegativeAllowed(tokens)))
            {
                i++;
                while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
                {
                    i++;
                }
                if (i < s.Length && s[i] is 'e' or 'E' && i + 1 < s.Length && (char.IsAsciiDigit(s[i + 1]) || (s[i + 1] is '+' or '-' && i + 2 < s.Length && char.IsAsciiDigit(s[i + 2]))))
                {
                    i += 2;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        i++;
                    }
                }
                var text = s[start..i];
                if (i < s.Length && (char.IsLetter(s[i]) || s[i] == '_'))
                {
                    var end = i;
                    while (end < s.Length && (char.IsLetterOrDigit(s[end]) || s[end] == '_'))
                    {
                        end++;
                    }
                    throw new SegmentExpressionException(s, start, end - start, $"'{s[start..end]}' is not a number or a name (names start with a letter)");
                }
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new SegmentExpressionException(s, start, i - start, $"'{text}' is not a number");
                }
                tokens.Add(new Token(TokenKind.Number, text, new TextSpan(start, i - start), value));
            }
            else if (c is '\'' or '"')
            {
                // Strings are single-quoted, a quote inside doubled ('it''s'). Double quotes are accepted the same way,
                // because a shell user often has the single ones taken by the shell.
                var quote = c;
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= s.Length)
                    {
                        throw new SegmentExpressionException(s, start, s.Length - start, $"unterminated string: a {quote} opens here and is never closed");
                    }
                    if (s[i] == quote)
                    {
                        if (i + 1 < s.Length && s[i + 1] == quote)
                        {
                            value.Append(quote);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.Append(s[i]);
                    i++;
                }
                tokens.Add(new Token(TokenKind.String, value.ToString(), new TextSpan(start, i - start)));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "<=" or ">=" or "!=" or "<>" or "==")
                {
                    tokens.Add(new Token(TokenKind.Operator, two switch { "<>" => "!=", "==" => "=", _ => two }, new TextSpan(start, 2)));
                    i += 2;
                    continue;
                }
                var kind = c switch
                {
                    '=' or '<' or '>' => TokenKind.Operator,
                    '(' => TokenKind.OpenParen,
                    ')' => TokenKind.CloseParen,
                    ',' => TokenKind.Comma,
                    _ => throw new SegmentExpressionException(s, start, 1, c switch
                    {
                        '&' or '|' => $"unexpected '{c}': write 'and' / 'or'",
                        '!' => "unexpected '!': write 'not', or '!=' for not equal",
                        '-' or '+' or '*' or '/' => $"unexpected '{c}': the language has no arithmetic",
                        _ => $"unexpected character '{c}'",
                    }),
                };
                tokens.Add(new Token(kind, c.ToString(), new TextSpan(start, 1)));
                i++;
            }
        }
        tokens.Add(new Token(TokenKind.End, "", new TextSpan(s.Length, 0)));
        return tokens;
    }

    // A '-' directly before a digit is a sign unless it follows something a value could end with (then it would be
    // subtraction, which the language does not have; the parser reports it there).
    private static bool NegativeAllowed(List<Token> tokens) =>
        tokens.Count == 0 || tokens[^1].Kind is TokenKind.Operator or TokenKind.OpenParen or TokenKind.Comma
        || (tokens[^1].Kind == TokenKind.Name && Keywords.Contains(tokens[^1].Text.ToLowerInvariant()));

    private sealed class Parser(string source, List<Token> tokens)
    {
        private int _next;

        private Token Peek => tokens[_next];

        private Token Take() => tokens[_next++];

        private SegmentExpressionException Error(Token at, string reason) =>
            new(source, at.Span.Start, Math.Max(1, at.Span.Length), reason);

        public ConditionSyntax ParseExpression()
        {
            if (Peek.Kind == TokenKind.End)
            {
                throw Error(Peek, "empty expression: expected a condition such as lifecycle = 'vip'");
            }
            var result = ParseOr();
            if (Peek.Kind != TokenKind.End)
            {
                throw Peek.Kind == TokenKind.CloseParen
                    ? Error(Peek, "unexpected ')': no '(' is open")
                    : Error(Peek, $"expected 'and', 'or' or the end of the expression, found {Peek.Describe()}");
            }
            return result;
        }

        private ConditionSyntax ParseOr()
        {
            var left = ParseAnd();
            while (Peek.IsKeyword("or"))
            {
                Take();
                var right = ParseAnd();
                left = new OrSyntax(left, right, TextSpan.Cover(left.Span, right.Span));
            }
            return left;
        }

        private ConditionSyntax ParseAnd()
        {
            var left = ParseNot();
            while (Peek.IsKeyword("and"))
            {
                Take();
                var right = ParseNot();
                left = new AndSyntax(left, right, TextSpan.Cover(left.Span, right.Span));
            }
            return left;
        }

        private ConditionSyntax ParseNot()
        {
            if (Peek.IsKeyword("not"))
            {
                var not = Take();
                var operand = ParseNot();
                return new NotSyntax(operand, TextSpan.Cover(not.Span, operand.Span));
            }
            return ParsePrimary();
        }

        private ConditionSyntax ParsePrimary()
        {
            if (Peek.Kind == TokenKind.OpenParen)
            {
                var open = Take();
                if (Peek.Kind == TokenKind.CloseParen)
                {
                    throw Error(Peek, "empty parentheses: expected a condition");
                }
                var inner = ParseOr();
                if (Peek.Kind != TokenKind.CloseParen)
                {
                    throw Peek.Kind == TokenKind.End
                        ? Error(open, "this '(' is never closed: expected ')'")
                        : Error(Peek, $"expected ')', 'and' or 'or', found {Peek.Describe()}");
                }
                var close = Take();
                return inner with { Span = TextSpan.Cover(open.Span, close.Span) };
            }
            var value = ParseValue("a condition");
            var t = Peek;
            if (t.Kind == TokenKind.Operator)
            {
                Take();
                var right = ParseValue($"a value after '{t.Text}'");
                return new CompareSyntax(t.Text, value, right, t.Span, TextSpan.Cover(value.Span, right.Span));
            }
            var negated = false;
            if (t.IsKeyword("not") && (tokens[_next + 1].IsKeyword("in") || tokens[_next + 1].IsKeyword("between")
                || tokens[_next + 1].IsKeyword("contains") || tokens[_next + 1].IsKeyword("starts_with")))
            {
                Take();
                negated = true;
                t = Peek;
            }
            if (t.IsKeyword("in"))
            {
                Take();
                if (Peek.Kind != TokenKind.OpenParen)
                {
                    throw Error(Peek, $"expected '(' after 'in', found {Peek.Describe()}: write in ('a', 'b')");
                }
                Take();
                var items = new List<ValueSyntax>();
                if (Peek.Kind == TokenKind.CloseParen)
                {
                    throw Error(Peek, "an empty list: 'in' needs at least one value");
                }
                while (true)
                {
                    items.Add(ParseValue("a value in the list"));
                    if (Peek.Kind == TokenKind.Comma)
                    {
                        Take();
                        continue;
                    }
                    if (Peek.Kind == TokenKind.CloseParen)
                    {
                        break;
                    }
                    throw Error(Peek, $"expected ',' or ')' in the list, found {Peek.Describe()}");
                }
                var close = Take();
                return new InSyntax(value, items, negated, TextSpan.Cover(value.Span, close.Span));
            }
            if (t.IsKeyword("between"))
            {
                Take();
                var low = ParseValue("the low end after 'between'");
                if (!Peek.IsKeyword("and"))
                {
                    throw Error(Peek, $"expected 'and' in 'between low and high', found {Peek.Describe()}");
                }
                Take();
                var high = ParseValue("the high end after 'and'");
                return new BetweenSyntax(value, low, high, negated, TextSpan.Cover(value.Span, high.Span));
            }
            if (t.IsKeyword("contains") || t.IsKeyword("starts_with"))
            {
                Take();
                var pattern = ParseValue($"a value after '{t.Text}'");
                return new MatchSyntax(t.Text.ToLowerInvariant(), value, pattern, negated, t.Span, TextSpan.Cover(value.Span, pattern.Span));
            }
            if (t.IsKeyword("is"))
            {
                Take();
                var isNot = false;
                if (Peek.IsKeyword("not"))
                {
                    Take();
                    isNot = true;
                }
                if (!Peek.IsKeyword("null"))
                {
                    throw Error(Peek, $"expected 'null' after 'is{(isNot ? " not" : "")}', found {Peek.Describe()}");
                }
                var n = Take();
                return new IsNullSyntax(value, isNot, TextSpan.Cover(value.Span, n.Span));
            }
            if (t.Kind is TokenKind.End or TokenKind.CloseParen || t.IsKeyword("and") || t.IsKeyword("or"))
            {
                return new TruthSyntax(value, value.Span);
            }
            throw Error(t, $"expected an operator (= != < <= > >= in between is contains starts_with), 'and', 'or' or the end, found {t.Describe()}");
        }

        private ValueSyntax ParseValue(string expected)
        {
            var t = Peek;
            switch (t.Kind)
            {
                case TokenKind.Number:
                    Take();
                    return new NumberSyntax(t.Number, t.Span);
                case TokenKind.String:
                    Take();
                    return new StringSyntax(t.Text, t.Span);
                case TokenKind.Name when t.IsKeyword("true") || t.IsKeyword("false"):
                    Take();
                    return new BooleanSyntax(t.IsKeyword("true"), t.Span);
                case TokenKind.Name when t.IsKeyword("null"):
                    Take();
                    return new NullSyntax(t.Span);
                case TokenKind.Name when Keywords.Contains(t.Text.ToLowerInvariant()):
                    throw Error(t, $"expected {expected}, found the keyword '{t.Text}'");
                case TokenKind.Name:
                    Take();
                    if (Peek.Kind != TokenKind.OpenParen)
                    {
                        return new FieldSyntax(t.Text, t.Span);
                    }
                    var open = Take();
                    var args = new List<ValueSyntax>();
                    if (Peek.Kind != TokenKind.CloseParen)
                    {
                        while (true)
                        {
                            args.Add(ParseValue($"an argument of {t.Text}()"));
                            if (Peek.Kind == TokenKind.Comma)
                            {
                                Take();
                                continue;
                            }
                            if (Peek.Kind == TokenKind.CloseParen)
                            {
                                break;
                            }
                            throw Peek.Kind == TokenKind.End
                                ? Error(open, $"this '(' of {t.Text}( is never closed: expected ')'")
                                : Error(Peek, $"expected ',' or ')' in the arguments of {t.Text}(), found {Peek.Describe()}");
                        }
                    }
                    var close = Take();
                    return new CallSyntax(t.Text, args, t.Span, TextSpan.Cover(t.Span, close.Span));
                default:
                    throw Error(t, $"expected {expected}, found {t.Describe()}");
            }
        }
    }
}
