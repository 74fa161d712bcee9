using Mailsmith.Cli;
using MimeKit;

namespace Mailsmith.Tests.Cli;

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>The README's "Using it on your own store" commands, run through the real command line.</summary>
[Collection("Console")]
public sealed class ReadMeWorkflowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-readme-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private async Task<(int Code, string Output)> Run(params string[] args)
    {
        var previous = Console.Out;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            var code = await Program.CreateCommand().Parse([.. args, "--db", Path.Combine(_dir, "mailsmith.db")]).InvokeAsync();
            return (code, writer.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }

    [Fact]
    public async Task OwnStoreWorkflow_GenerateImportProfileCreateComposeList_Works()
    {
        var data = Path.Combine(_dir, "data");
        Assert.Equal(ExitCode.Success, (await Run("generate", "--out", data, "--customers", "200", "--seed", "5")).Code);

        var import = await Run("import",
            "--customers", Path.Combine(data, "customers.csv"), "--products", Path.Combine(data, "products.csv"),
            "--orders", Path.Combine(data, "orders.csv"), "--order-lines", Path.Combine(data, "order_lines.csv"),
            "--events", Path.Combine(data, "events.csv"), "--reviews", Path.Combine(data, "reviews.csv"));
        Assert.Equal(ExitCode.Success, import.Code);
        Assert.Contains("loaded", import.Output, StringComparison.Ordinal);

        var profile = await Run("profile", "--json");
        Assert.Equal(ExitCode.Success, profile.Code);
        Assert.Contains("\"customers\": 200", profile.Output, StringComparison.Ordinal);

        var create = await Run("campaign", "create", "--type", "recommendations", "--name", "Picked for you");
        Assert.Equal(ExitCode.Success, create.Code);
        var id = create.Output.Trim();
        Assert.Matches("^cmp-\\d{4}$", id);

        var outbox = Path.Combine(_dir, "outbox");
        var compose = await Run("campaign", "compose", id, "--outbox", outbox);
        Assert.Equal(ExitCode.Success, compose.Code);
        var emails = Directory.GetFiles(Path.Combine(outbox, id), "*.eml");
        Assert.True(emails.Length > 100, $"{emails.Length} emails");
        Assert.NotNull((await MimeMessage.LoadAsync(emails[0])).HtmlBody);

        // Composing again sends nothing twice: every message is already sent.
        var again = await Run("campaign", "compose", id, "--outbox", outbox);
        Assert.Contains("composed 0", again.Output, StringComparison.Ordinal);

        // A welcome goes out once per customer: a second welcome campaign finds nobody new.
        var welcome = (await Run("campaign", "create", "--type", "welcome")).Output.Trim();
        var first = await Run("campaign", "compose", welcome, "--outbox", outbox);
        Assert.DoesNotContain("audience 0,", first.Output, StringComparison.Ordinal);
        var secondWelcome = (await Run("campaign", "create", "--type", "welcome")).Output.Trim();
        var second = await Run("campaign", "compose", secondWelcome, "--outbox", outbox);
        Assert.Contains("audience 0,", second.Output, StringComparison.Ordinal);

        var list = await Run("campaign", "list", "--json");
        Assert.Contains($"\"id\": \"{id}\"", list.Output, StringComparison.Ordinal);
        Assert.Contains($"\"sent\": {emails.Length}", list.Output, StringComparison.Ordinal);

        // The report of a campaign nobody has opened yet: everything sent, delivered, nothing else.
        var html = Path.Combine(_dir, "report.html");
        var report = await Run("report", "--campaign", id, "--json", "--html", html);
        Assert.Equal(ExitCode.Success, report.Code);
        using var json = System.Text.Json.JsonDocument.Parse(report.Output);
        Assert.Equal(emails.Length, json.RootElement.GetProperty("sent").GetInt64());
        Assert.Equal(emails.Length, json.RootElement.GetProperty("delivered").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("human_opens").GetInt64());
        Assert.Equal(emails.Length, json.RootElement.GetProperty("variants").GetProperty("A").GetProperty("sent").GetInt64());
        Assert.Contains("click-through rate", await File.ReadAllTextAsync(html), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ExitCode.NotFound, (await Run("report", "--campaign", "cmp-9999")).Code);

        // Rotating the link key keeps the links of the mail just written valid.
        Assert.Equal(ExitCode.Success, (await Run("keys", "rotate")).Code);
        var token = (await MimeMessage.LoadAsync(emails[0])).Headers["X-Mailsmith-Message"];
        var signer = Mailsmith.Track.LinkSigner.FromOptions(new Mailsmith.Track.TrackOptions(), Path.Combine(_dir, "mailsmith.db.key"));
        Assert.Equal(2, signer.KeyCount);
        Assert.True(signer.TryVerify(token, out _));
    }

    [Fact]
    public async Task Import_BadRow_ExitsWithBadDataAndStoresNothing()
    {
        var file = Path.Combine(_dir, "customers.csv");
        await File.WriteAllTextAsync(file, "customer_id,email\nC1,a@example.com\nC2,not-an-email\n");
        var previousError = Console.Error;
        using var errors = new StringWriter();
        Console.SetError(errors);
        try
        {
            var (code, _) = await Run("import", "--customers", file);
            Assert.Equal(ExitCode.BadData, code);
        }
        finally
        {
            Console.SetError(previousError);
        }
        Assert.Contains("customers.csv:3: email:", errors.ToString(), StringComparison.Ordinal);
        var store = Mailsmith.Storage.MailsmithStore.Open(Path.Combine(_dir, "mailsmith.db"));
        Assert.Equal(0, store.Counts().Customers);
    }
}
