using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Profile.Sentiment;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith sentiment eval|score</c>: the review sentiment scorer.</summary>
internal sealed class SentimentCommand : Command
{
    public SentimentCommand() : base("sentiment", "Review sentiment (English and Chinese): evaluate on labelled data, or score texts")
    {
        Add(new EvalCommand());
        Add(new ScoreCommand());
    }

    private sealed class EvalCommand : Command
    {
        public Option<string> File { get; } = new("--file") { Description = "Labelled file (CSV or TSV, UTF-8)", Required = true };
        public Option<string> TextColumn { get; } = new("--text-column") { Description = "Text column: header name, or index (0-based if either index is 0, else 1-based)", Required = true };
        public Option<string> LabelColumn { get; } = new("--label-column") { Description = "Label column (1 positive, 0 negative): header name or index", Required = true };
        public Option<string?> Separator { get; } = new("--separator") { Description = "TAB or , (default: TAB if the first line has a tab, else comma)" };
        public Option<string?> Locale { get; } = new("--locale") { Description = "Score every text as this language (zh-CN, en-US; default: by each text's script)" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print {\"accuracy\", \"n\"}" };

        public EvalCommand() : base("eval", "Accuracy of the scorer on a labelled file; what was inferred about the file goes to stderr")
        {
            Add(File);
            Add(TextColumn);
            Add(LabelColumn);
            Add(Separator);
            Add(Locale);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var request = new SentimentEvalRequest
                {
                    Path = parse.GetValue(File)!,
                    TextColumn = parse.GetValue(TextColumn)!,
                    LabelColumn = parse.GetValue(LabelColumn)!,
                    Separator = ParseSeparator(parse.GetValue(Separator)),
                    Locale = parse.GetValue(Locale),
                };
                SentimentEvalResult result;
                try
                {
                    result = await SentimentEvaluation.EvaluateAsync(request, ct);
                }
                catch (FormatException e)
                {
                    Ui.Error(e.Message);
                    return ExitCode.BadData;
                }
                foreach (var note in result.Notes)
                {
                    Console.Error.WriteLine($"note: {note}");
                }
                if (parse.GetValue(Json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["accuracy"] = result.Accuracy, ["n"] = result.N }));
                }
                else
                {
                    var inv = CultureInfo.InvariantCulture;
                    Console.WriteLine($"accuracy {result.Accuracy.ToString("0.0000", inv)} on {result.N:N0} texts ({result.Correct:N0} correct)");
                    Console.WriteLine($"positive: {result.TruePositive:N0} right, {result.FalseNegative:N0} called negative; negative: {result.TrueNegative:N0} right, {result.FalsePositive:N0} called positive");
                }
                return ExitCode.Success;
            }));
        }

        private static char? ParseSeparator(string? value) => value switch
        {
            null => null,
            "TAB" or "tab" or "\\t" or "\t" => '\t',
            "," or "comma" => ',',
            ";" => ';',
            _ => throw new ArgumentException($"--separator: '{value}' is not TAB or ,"),
        };
    }

    private sealed class ScoreCommand : Command
    {
        public Argument<string[]> Texts { get; } = new("text") { Description = "Texts to score", Arity = ArgumentArity.OneOrMore };
        public Option<string?> Locale { get; } = new("--locale") { Description = "Score as this language (zh-CN, en-US; default: by script)" };

        public ScoreCommand() : base("score", "Print the score in [-1, 1] and the label of each text")
        {
            Add(Texts);
            Add(Locale);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                foreach (var text in parse.GetValue(Texts)!)
                {
                    var r = SentimentScorer.Default.Score(text, parse.GetValue(Locale));
                    Console.WriteLine($"{r.Score.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)}\t{r.Label}\t{text}");
                }
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }
}
