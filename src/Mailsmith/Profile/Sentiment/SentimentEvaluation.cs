using System.Globalization;
using System.Text;

namespace Mailsmith.Profile.Sentiment;

/// <summary>What <c>mailsmith sentiment eval</c> reads.</summary>
public sealed class SentimentEvalRequest
{
    public required string Path { get; init; }

    /// <summary>The text column: a header name, or an index (see <see cref="SentimentEvaluation"/>).</summary>
    public required string TextColumn { get; init; }

    /// <summary>The label column (1 positive, 0 negative): a header name or an index.</summary>
    public required string LabelColumn { get; init; }

    /// <summary>The separator; null infers it (a tab in the first line means TAB, else a comma). Default null.</summary>
    public char? Separator { get; init; }

    /// <summary>Force a language by locale (zh-CN, en-US); null scores each text in the language of its script. Default null.</summary>
    public string? Locale { get; init; }
}

/// <summary>The outcome of an evaluation, with what was inferred about the file.</summary>
/// <param name="Notes">What was inferred (separator, header, index base) and rows skipped, for stderr.</param>
public sealed record SentimentEvalResult(double Accuracy, int N, int Correct, int TruePositive, int TrueNegative, int FalsePositive, int FalseNegative, IReadOnlyList<string> Notes);

/// <summary>
/// Accuracy of <see cref="SentimentScorer"/> on a labelled file. Binary decision: a text is predicted positive when
/// its score is above 0; a text without any sentiment term (score 0) counts as negative.
/// </summary>
/// <remarks>
/// Columns are named by header or by index. When both are numbers they are indexes, 0-based if either is 0 and
/// 1-based otherwise (so <c>0 1</c> and <c>1 2</c> both name the first two columns), and the first row is a header
/// only if its label field is not a label. When either is a name, the first row must be a header containing it
/// (compared ignoring case). Labels: 1/0, also 1.0/0.0, positive/negative, pos/neg, true/false; rows with another
/// label or an empty text are skipped and counted in the notes.
/// </remarks>
public static class SentimentEvaluation
{
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A column cannot be found or no row has a usable label; the message says which and what the file has.</exception>
    public static async Task<SentimentEvalResult> EvaluateAsync(SentimentEvalRequest request, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(request.Path))
        {
            throw new FileNotFoundException($"{request.Path}: file not found", request.Path);
        }
        var text = await File.ReadAllTextAsync(request.Path, Encoding.UTF8, cancellationToken);
        var notes = new List<string>();
        var separator = request.Separator ?? InferSeparator(text, notes);
        var records = DelimitedText.Parse(text, separator);
        if (records.Count == 0)
        {
            throw new FormatException($"{request.Path}: the file is empty");
        }
        var (textIndex, labelIndex, hasHeader) = ResolveColumns(request, records[0].Fields, notes);
        int correct = 0, tp = 0, tn = 0, fp = 0, fn = 0, badLabel = 0, empty = 0;
        int? firstBad = null;
        var scorer = SentimentScorer.Default;
        foreach (var (line, fields) in records.Skip(hasHeader ? 1 : 0))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var label = labelIndex < fields.Count ? ParseLabel(fields[labelIndex]) : null;
            if (label is null)
            {
                badLabel++;
                firstBad ??= line;
                continue;
            }
            var review = textIndex < fields.Count ? fields[textIndex] : "";
            if (string.IsNullOrWhiteSpace(review))
            {
                empty++;
                continue;
            }
            var predicted = scorer.Score(review, request.Locale).Score > 0;
            switch (predicted, label.Value)
            {
                case (true, true): tp++; break;
                case (false, false): tn++; break;
                case (true, false): fp++; break;
                default: fn++; break;
            }
        }
        correct = tp + tn;
        var n = tp + tn + fp + fn;
        if (badLabel > 0)
        {
            notes.Add($"skipped {badLabel:N0} rows whose label is not 1/0 (first: {request.Path}:{firstBad})");
        }
        if (empty > 0)
        {
            notes.Add($"skipped {empty:N0} rows with an empty text");
        }
        if (n == 0)
        {
            throw new FormatException($"{request.Path}: no row has a 1/0 label in column {request.LabelColumn} and a text in column {request.TextColumn}");
        }
        return new SentimentEvalResult((double)correct / n, n, correct, tp, tn, fp, fn, notes);
    }

    private static char InferSeparator(string text, List<string> notes)
    {
        var end = text.IndexOf('\n');
        var first = end < 0 ? text : text[..end];
        var separator = first.Contains('\t') ? '\t' : ',';
        notes.Add($"separator: {(separator == '\t' ? "TAB" : "comma")} (inferred from the first line; --separator to change)");
        return separator;
    }

    private static (int Text, int Label, bool Header) ResolveColumns(SentimentEvalRequest request, List<string> first, List<string> notes)
    {
        var textNumber = int.TryParse(request.TextColumn, NumberStyles.None, CultureInfo.InvariantCulture, out var t);
        var labelNumber = int.TryParse(request.LabelColumn, NumberStyles.None, CultureInfo.InvariantCulture, out var l);
        if (textNumber && labelNumber)
        {
            var zeroBased = t == 0 || l == 0;
            var (ti, li) = zeroBased ? (t, l) : (t - 1, l - 1);
            var header = !(li < first.Count && ParseLabel(first[li]) is not null);
            notes.Add($"columns by index ({(zeroBased ? "0-based, as an index is 0" : "1-based")}): text = column {ti + 1} of {first.Count}, label = column {li + 1}; " +
                      (header ? "the first row is a header (its label is not 1/0)" : "no header row (the first row has a 1/0 label)"));
            if (ti >= first.Count || li >= first.Count)
            {
                throw new FormatException($"{request.Path}: the first row has {first.Count} columns; text column {ti + 1} / label column {li + 1} do not exist");
            }
            return (ti, li, header);
        }
        var names = first.Select(f => f.Trim()).ToList();
        int Find(string column, bool isNumber, int number, string what)
        {
            if (isNumber)
            {
                // One name and one number: the number is an index into the header, 0-based if 0, else 1-based.
                return number == 0 ? 0 : number - 1;
            }
            var index = names.FindIndex(n => string.Equals(n, column.Trim(), StringComparison.OrdinalIgnoreCase));
            return index >= 0 ? index : throw new FormatException($"{request.Path}:1: no {what} column named '{column}' in the header ({string.Join(", ", names.Select(n => $"'{n}'"))})");
        }
        var textIndex = Find(request.TextColumn, textNumber, t, "text");
        var labelIndex = Find(request.LabelColumn, labelNumber, l, "label");
        notes.Add($"header row: text = '{names.ElementAtOrDefault(textIndex)}' (column {textIndex + 1}), label = '{names.ElementAtOrDefault(labelIndex)}' (column {labelIndex + 1})");
        return (textIndex, labelIndex, true);
    }

    /// <summary>True for a positive label, false for a negative one, null for anything else.</summary>
    public static bool? ParseLabel(string field) => field.Trim().ToLowerInvariant() switch
    {
        "1" or "1.0" or "positive" or "pos" or "true" => true,
        "0" or "0.0" or "negative" or "neg" or "false" => false,
        _ => null,
    };
}
