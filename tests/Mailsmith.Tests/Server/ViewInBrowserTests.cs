using System.Net;
using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Server;
using Mailsmith.Storage;
using Mailsmith.Synthetic;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Mailsmith.Tests.Server;

/// <summary>"View in browser" re-renders the sent message through the compose path: the same HTML as the .eml.</summary>
public sealed class ViewInBrowserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-view-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task View_SentMessage_IsTheSameHtmlAsTheEmail_AndPreferencesHoldBackTheNextCampaign()
    {
        var data = new StoreGenerator(new GeneratorOptions { Customers = 80, Seed = 5 }).Generate(Path.Combine(_dir, "data"));
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?>());
        var store = MailsmithStore.Open(settings.DatabasePath);
        var files = StoreGenerator.FileStems
            .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(data.Directory, stem + ".csv")))
            .ToList();
        Assert.True(new Importer(store, new ImportOptions()).Import(files).Success);
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 11);
        var outbox = new PickupFolderSender(Path.Combine(_dir, "outbox"));
        await runner.ComposeAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), outbox);
        var sent = store.LoadSends(campaign.CampaignId).Where(s => s.State == SendState.Sent).Take(3).ToList();
        Assert.NotEmpty(sent);

        await using var app = MailsmithServer.Build(settings, "http://127.0.0.1:0");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        foreach (var send in sent)
        {
            var message = await MimeMessage.LoadAsync(outbox.PathFor(new OutboxAddress(campaign.CampaignId, send.CustomerId)));
            var token = message.Headers["X-Mailsmith-Message"];
            using var response = await client.GetAsync($"/v/{token}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("script-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal(message.HtmlBody, await response.Content.ReadAsStringAsync());
        }
        using (var forged = await client.GetAsync("/v/AAAA.BBBB"))
        {
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        }

        // The first recipient mutes recommendations in the preference centre: the next such campaign holds them back.
        var first = sent[0];
        var prefs = await MimeMessage.LoadAsync(outbox.PathFor(new OutboxAddress(campaign.CampaignId, first.CustomerId)));
        using (var save = await client.PostAsync($"/p/{prefs.Headers["X-Mailsmith-Message"]}", new FormUrlEncodedContent([new("topic", "welcome")])))
        {
            Assert.Equal(HttpStatusCode.OK, save.StatusCode);
        }
        var next = runner.Create("recommendations", seed: 12);
        await runner.ComposeAsync(next.CampaignId, PipelineContext.Prepare(store, settings), outbox);
        var held = store.LoadSends(next.CampaignId).Single(s => s.CustomerId == first.CustomerId);
        Assert.Equal(SendState.Suppressed, held.State);
        Assert.Equal("muted_topic", held.Reason);
        await app.StopAsync();
    }
}
