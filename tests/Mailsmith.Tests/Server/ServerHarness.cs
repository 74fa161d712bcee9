using System.Net;
using System.Text;
using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Server;
using Mailsmith.Storage;
using Mailsmith.Track;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mailsmith.Tests.Server;

/// <summary>
/// A real Kestrel on 127.0.0.1 (ephemeral port) over a fresh database in its own temp folder: customers c001…, one
/// campaign with variants A and B, and one sent message per customer.
/// </summary>
public sealed class ServerHarness : IAsyncDisposable
{
    public const string Browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
    public const string ApiKey = "test-api-key-0123456789abcdef";

    private ServerHarness(string dir, MailsmithSettings settings, MailsmithStore store, WebApplication app, Uri baseUri, Campaign campaign, IReadOnlyList<Send> sends)
    {
        Dir = dir;
        Settings = settings;
        Store = store;
        App = app;
        BaseUri = baseUri;
        Campaign = campaign;
        Sends = sends;
        Links = new TrackingLinks(settings.Track, LinkSigner.FromOptions(settings.Track, settings.DefaultKeyFile));
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseUri };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd(Browser);
    }

    public string Dir { get; }
    public MailsmithSettings Settings { get; }
    public MailsmithStore Store { get; }
    public WebApplication App { get; }
    public Uri BaseUri { get; }
    public Campaign Campaign { get; }
    public IReadOnlyList<Send> Sends { get; }
    public TrackingLinks Links { get; }
    public HttpClient Client { get; }
    public TrackingRecorder Recorder => App.Services.GetRequiredService<TrackingRecorder>();
    public TrackingStats Stats => App.Services.GetRequiredService<TrackingStats>();

    public static async Task<ServerHarness> StartAsync(int customers = 10, IDictionary<string, string?>? config = null, TimeSpan? sentAgo = null)
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-server-").FullName;
        var overrides = new Dictionary<string, string?>
        {
            ["Track:BaseUrl"] = "https://mail.shop.example",
            ["Server:ApiKeys:0"] = ApiKey,
            ["Server:SpoolRetrySeconds"] = "3600",
        };
        foreach (var (k, v) in config ?? new Dictionary<string, string?>())
        {
            overrides[k] = v;
        }
        var settings = MailsmithSettings.Load(null, Path.Combine(dir, "m.db"), overrides);
        var store = MailsmithStore.Open(settings.DatabasePath);
        var csv = new StringBuilder("customer_id,email,first_name,locale,consent\n");
        for (var i = 1; i <= customers; i++)
        {
            csv.Append($"c{i:D3},reader{i}@example.com,Reader{i},{(i % 2 == 0 ? "zh-CN" : "en-US")},true\n");
        }
        var file = Path.Combine(dir, "customers.csv");
        await File.WriteAllTextAsync(file, csv.ToString());
        Assert.True(new Importer(store, new ImportOptions()).Import([new ImportFile(ImportKind.Customers, file)]).Success);
        var campaign = store.CreateCampaign("recommendations", "test", "all", [new CampaignVariant("A", 1), new CampaignVariant("B", 1)], 7, DateTimeOffset.UtcNow);
        var planned = store.PlanSends(Enumerable.Range(1, customers).Select(i => new SendPlan(
            campaign.CampaignId, $"c{i:D3}", i % 2 == 1 ? "A" : "B", 0.5, $"{campaign.CampaignId}:c{i:D3}", $"<{campaign.CampaignId}.c{i:D3}@shop.example>",
            SendState.Planned, null, null)), DateTimeOffset.UtcNow);
        store.UpdateSendStates(planned.Select(s => new SendStateChange(s.SendId, SendState.Sent)), DateTimeOffset.UtcNow - (sentAgo ?? TimeSpan.FromHours(1)));
        var app = MailsmithServer.Build(settings, "http://127.0.0.1:0");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServerHarness(dir, settings, store, app, new Uri(address), campaign, store.LoadSends(campaign.CampaignId));
    }

    public MessageRef Ref(Send send) => new(send.SendId, send.CampaignId, send.CustomerId, send.Variant);

    /// <summary>The path and query of an absolute tracking URL (the harness serves them on its own address).</summary>
    public static string PathOf(string url) => new Uri(url).PathAndQuery;

    public string OpenPath(Send send) => PathOf(Links.OpenPixel(Ref(send)));

    public string ClickPath(Send send, string destination) => PathOf(Links.Click(Ref(send), destination));

    public string UnsubscribePath(Send send) => PathOf(Links.Unsubscribe(Ref(send)));

    public HttpRequestMessage Api(HttpMethod method, string path, string? json = null, string? key = ApiKey)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        return request;
    }

    /// <summary>Stops the server: every answered event is stored (or spooled) when this returns.</summary>
    public async Task StopAsync()
    {
        await App.StopAsync();
        await Recorder.DisposeAsync();
    }

    public long Count(string sql)
    {
        using var connection = Store.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
    }

    public static HttpStatusCode Status(HttpResponseMessage response) => response.StatusCode;
}
