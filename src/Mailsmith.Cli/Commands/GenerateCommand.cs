using System.CommandLine;
using Mailsmith.Pipeline;
using Mailsmith.Synthetic;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith generate</c>: a synthetic store as CSV files.</summary>
internal sealed class GenerateCommand : Command
{
    public Option<string> Out { get; } = new("--out") { Description = "Folder to write the CSV files and truth.json to", Required = true };
    public Option<int> Customers { get; } = new("--customers") { Description = "Number of customers", DefaultValueFactory = _ => 5000 };
    public Option<int> Products { get; } = new("--products") { Description = "Number of products (at least 500)", DefaultValueFactory = _ => 600 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Random seed: the same seed gives the same files", DefaultValueFactory = _ => 42 };

    public GenerateCommand() : base("generate", "Write a synthetic store (customers, products, orders, order lines, events, reviews, truth.json)")
    {
        Add(Out);
        Add(Customers);
        Add(Products);
        Add(Seed);
        SetAction((parse, ct) => Guarded.RunAsync(() =>
        {
            var options = new GeneratorOptions { Customers = parse.GetValue(Customers), Products = parse.GetValue(Products), Seed = parse.GetValue(Seed) };
            if (options.Customers < 1 || options.Products < 1)
            {
                throw new ArgumentException("--customers and --products must be positive");
            }
            var result = new StoreGenerator(options).Generate(parse.GetValue(Out)!, new SynchronousProgress<string>(m => Console.WriteLine(m)));
            foreach (var (file, rows) in result.RowCounts)
            {
                Console.WriteLine($"{file,-12} {rows,10:N0} rows");
            }
            Console.WriteLine($"history {result.Start:yyyy-MM-dd} .. {result.End:yyyy-MM-dd} in {Path.GetFullPath(result.Directory)}");
            return Task.FromResult(ExitCode.Success);
        }));
    }
}
