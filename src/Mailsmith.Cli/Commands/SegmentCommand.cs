using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Pipeline;
using Mailsmith.Profile.Segments;
using Mailsmith.Storage;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith segment create|list|show|count|export|delete|fields</c>: saved dynamic segments (docs/segments.md).</summary>
internal sealed class SegmentCommand : Command
{
    public SegmentCommand() : base("segment", "Saved dynamic segments: filters over profile and customer fields, evaluated against the current data")
    {
        Add(new CreateCommand());
        Add(new ListCommand());
        Add(new ShowCommand());
        Add(new CountCommand());
        Add(new ExportCommand());
        Add(new DeleteCommand());
        Add(new FieldsCommand());
    }

    private static Option<DateTimeOffset?> AsOfOption() =>
        new("--as-of") { Description = "Evaluate as of this moment (default: the latest activity in the data)" };

    private static SegmentPopulation Load(ParseResult parse, Option<DateTimeOffset?> asOf, out MailsmithStore store)
    {
        var settings = GlobalOptions.Settings(parse);
        store = GlobalOptions.Store(settings);
        return SegmentPopulation.Load(store, settings.Profile, parse.GetValue(asOf));
    }

    private sealed class CreateCommand : Command
    {
        public Argument<string> SegmentName { get; } = new("NAME") { Description = "Segment name: letters, digits, '_', '.', '-'" };
        public Option<string> Where { get; } = new("--where") { Description = "The expression, e.g. \"lifecycle = 'at_risk' and clv_365 > 200\"", Required = true };
        public Option<string?> Note { get; } = new("--description") { Description = "What the segment is for" };
        public Option<bool> Replace { get; } = new("--replace") { Description = "Replace the expression of an existing segment of that name" };
        public Option<DateTimeOffset?> AsOf { get; } = AsOfOption();

        public CreateCommand() : base("create", "Check an expression and save it as a segment; prints its current member count")
        {
            Add(SegmentName);
            Add(Where);
            Add(Note);
            Add(Replace);
            Add(AsOf);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var population = Load(parse, AsOf, out var store);
                var segment = new SegmentCatalog(store).Create(parse.GetValue(SegmentName)!, parse.GetValue(Where)!, parse.GetValue(Note), population.Context, parse.GetValue(Replace));
                var count = population.Count(population.Compile(segment));
                Console.WriteLine($"segment '{segment.Name}' saved: {count:N0} of {population.Rows.Count:N0} customers match now");
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class ListCommand : Command
    {
        public Option<DateTimeOffset?> AsOf { get; } = AsOfOption();
        public Option<bool> Json { get; } = new("--json") { Description = "Print a JSON array" };

        public ListCommand() : base("list", "List segments with their current member counts")
        {
            Add(AsOf);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var population = Load(parse, AsOf, out var store);
                var rows = new SegmentCatalog(store).List()
                    .Select(s => (Segment: s, Count: population.Count(population.Compile(s))))
                    .ToList();
                if (parse.GetValue(Json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
                    {
                        name = r.Segment.Name,
                        expression = r.Segment.Expression,
                        description = r.Segment.Description,
                        members = r.Count,
                        created_at = r.Segment.CreatedAt,
                        updated_at = r.Segment.UpdatedAt,
                    }), DemoRunner.JsonOptions));
                    return Task.FromResult(ExitCode.Success);
                }
                var table = new Table().Title($"{rows.Count} segments over {population.Rows.Count:N0} customers as of {population.Context.AsOf:yyyy-MM-dd HH:mm}Z")
                    .AddColumns("name", "members", "expression", "description");
                foreach (var (segment, count) in rows)
                {
                    table.AddRow(Markup.Escape(segment.Name), count.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(segment.Expression), Markup.Escape(segment.Description ?? ""));
                }
                AnsiConsole.Write(table);
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class ShowCommand : Command
    {
        public Argument<string> SegmentName { get; } = new("NAME") { Description = "Segment name" };
        public Option<int> Sample { get; } = new("--sample") { Description = "How many members to show (default 10)", DefaultValueFactory = _ => 10 };
        public Option<DateTimeOffset?> AsOf { get; } = AsOfOption();
        public Option<bool> Json { get; } = new("--json") { Description = "Print JSON" };

        public ShowCommand() : base("show", "Show a segment's expression, member count and a sample of members")
        {
            Add(SegmentName);
            Add(Sample);
            Add(AsOf);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var population = Load(parse, AsOf, out var store);
                var segment = new SegmentCatalog(store).Get(parse.GetValue(SegmentName)!);
                var expression = population.Compile(segment);
                var members = population.Members(expression);
                var sample = members.Take(Math.Max(0, parse.GetValue(Sample))).ToList();
                var columns = SegmentExport.Columns(expression);
                var campaigns = SegmentTargeting.CampaignsUsing(store, segment.Name);
                if (parse.GetValue(Json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        name = segment.Name,
                        expression = segment.Expression,
                        description = segment.Description,
                        members = members.Count,
                        customers = population.Rows.Count,
                        as_of = population.Context.AsOf,
                        campaigns = campaigns.Select(c => c.CampaignId),
                        sample = sample.Select(r => columns.ToDictionary(c => c.Name, c => c.ValueOf(r))),
                    }, DemoRunner.JsonOptions));
                    return Task.FromResult(ExitCode.Success);
                }
                Console.WriteLine($"segment:     {segment.Name}");
                Console.WriteLine($"expression:  {segment.Expression}");
                if (segment.Description is { } d)
                {
                    Console.WriteLine($"description: {d}");
                }
                Console.WriteLine($"members:     {members.Count:N0} of {population.Rows.Count:N0} customers as of {population.Context.AsOf:yyyy-MM-dd HH:mm}Z");
                if (campaigns.Count > 0)
                {
                    Console.WriteLine($"campaigns:   {string.Join(", ", campaigns.Select(c => c.CampaignId))}");
                }
                if (sample.Count > 0)
                {
                    var table = new Table().AddColumns(columns.Select(c => Markup.Escape(c.Name)).ToArray());
                    foreach (var row in sample)
                    {
                        table.AddRow(columns.Select(c => Markup.Escape(SegmentExport.Format(c.ValueOf(row)))).ToArray());
                    }
                    AnsiConsole.Write(table);
                }
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class CountCommand : Command
    {
        public Argument<string?> SegmentName { get; } = new("NAME") { Description = "A saved segment (or give --where)", Arity = ArgumentArity.ZeroOrOne };
        public Option<string?> Where { get; } = new("--where") { Description = "Count an expression without saving it" };
        public Option<DateTimeOffset?> AsOf { get; } = AsOfOption();

        public CountCommand() : base("count", "Print the number of customers in a segment or matching an expression")
        {
            Add(SegmentName);
            Add(Where);
            Add(AsOf);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var name = parse.GetValue(SegmentName);
                var where = parse.GetValue(Where);
                if ((name is null) == (where is null))
                {
                    throw new ArgumentException("give a segment NAME or --where EXPR (one of them)");
                }
                var population = Load(parse, AsOf, out var store);
                var expression = name is not null ? population.Compile(new SegmentCatalog(store).Get(name)) : population.Compile(where!);
                Console.WriteLine(population.Count(expression).ToString(CultureInfo.InvariantCulture));
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class ExportCommand : Command
    {
        public Argument<string> SegmentName { get; } = new("NAME") { Description = "Segment name" };
        public Option<string> Out { get; } = new("--out") { Description = "CSV file to write (customer_id, email, key fields, the fields the expression reads)", Required = true };
        public Option<DateTimeOffset?> AsOf { get; } = AsOfOption();

        public ExportCommand() : base("export", "Write a segment's current members to a CSV file")
        {
            Add(SegmentName);
            Add(Out);
            Add(AsOf);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var population = Load(parse, AsOf, out var store);
                var segment = new SegmentCatalog(store).Get(parse.GetValue(SegmentName)!);
                var expression = population.Compile(segment);
                var path = parse.GetValue(Out)!;
                var rows = await SegmentExport.WriteCsvAsync(path, population.Members(expression), SegmentExport.Columns(expression), ct);
                Console.WriteLine($"{rows:N0} members of '{segment.Name}' written to {Path.GetFullPath(path)}");
                return ExitCode.Success;
            }));
        }
    }

    private sealed class DeleteCommand : Command
    {
        public Argument<string> SegmentName { get; } = new("NAME") { Description = "Segment name" };
        public Option<bool> Force { get; } = new("--force") { Description = "Delete even when campaigns target the segment" };

        public DeleteCommand() : base("delete", "Delete a segment (refused while a campaign targets it, unless --force)")
        {
            Add(SegmentName);
            Add(Force);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                var name = parse.GetValue(SegmentName)!;
                SegmentTargeting.Delete(store, name, parse.GetValue(Force));
                Console.WriteLine($"segment '{name}' deleted");
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class FieldsCommand : Command
    {
        public Option<bool> Markdown { get; } = new("--markdown") { Description = "Print the Markdown tables of docs/segments.md" };

        public FieldsCommand() : base("fields", "List every field and function an expression may use")
        {
            Add(Markdown);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                if (parse.GetValue(Markdown))
                {
                    Console.Write(SegmentDocs.Markdown());
                    return Task.FromResult(ExitCode.Success);
                }
                var table = new Table().AddColumns("field", "type", "from", "description");
                foreach (var f in SegmentFields.All)
                {
                    table.AddRow(f.Name, SegmentBinder.Describe(f.Type), f.Source, Markup.Escape(f.Description + (f.Values is { } v ? $" One of: {string.Join(", ", v)}." : "")));
                }
                AnsiConsole.Write(table);
                var functions = new Table().AddColumns("function", "returns", "description");
                foreach (var f in SegmentFields.Functions)
                {
                    functions.AddRow(Markup.Escape(f.Signature), SegmentBinder.Describe(f.Returns), Markup.Escape(f.Description));
                }
                AnsiConsole.Write(functions);
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }
}
