using System.CommandLine;
using System.Text.Json;
using Mailsmith.Learn;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith learn send-time update</c>: per-customer outcomes by local delivery hour of the week.</summary>
internal sealed class LearnSendTimeCommand : Command
{
    public LearnSendTimeCommand() : base("send-time", "Send time learned from outcomes: clicks and purchases by each customer's local delivery hour")
    {
        Add(new UpdateCommand());
    }

    private sealed class UpdateCommand : Command
    {
        public Option<double> Window { get; } = new("--window") { Description = "Days after delivery in which an order counts as a purchase of the message", DefaultValueFactory = _ => 5 };
        public Option<bool> Json { get; } = new("--json") { Description = "Print {\"customers\", \"rows\", \"delivered\", \"clicked\", \"purchased\"}" };

        public UpdateCommand() : base("update", "Rebuild customer_send_hours from every delivered message, its human clicks and the orders after it")
        {
            Add(Window);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                if (parse.GetValue(Window) <= 0)
                {
                    throw new ArgumentException("--window must be positive");
                }
                var r = SendTimeOutcomes.Refresh(store, DateTimeOffset.UtcNow, parse.GetValue(Window));
                Console.WriteLine(parse.GetValue(Json)
                    ? JsonSerializer.Serialize(new { customers = r.Customers, rows = r.Rows, delivered = r.Delivered, clicked = r.Clicked, purchased = r.Purchased })
                    : $"{r.Delivered:N0} delivered messages of {r.Customers:N0} customers: {r.Clicked:N0} clicked, {r.Purchased:N0} followed by a purchase; {r.Rows:N0} (customer, hour of week) rows in customer_send_hours");
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }
}
