using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mailsmith.Cli;
using Mailsmith.Learn;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Pipeline;

/// <summary><c>mailsmith preview</c> through the real command line on a real store: the files it writes and the pages it serves.</summary>
[Collection("Console")]
public sealed partial class PreviewTests(PreviewStoreFixture store) : IClassFixture<PreviewStoreFixture>
{
    private async Task<string> PageAsync(string campaign, string customer)
    {
        var file = Path.Combine(store.Root, "pages", $"{campaign}-{customer}.html");
        var (code, output, error) = await store.RunAsync(["preview", "--campaign", campaign, "--customer", customer, "--out", file]);
        Assert.True(code == ExitCode.Success, $"exit {code}: {error}");
        Assert.Equal(file, output.Trim());
        return await File.ReadAllTextAsync(file);
    }

    /// <summary>The email's own HTML, as the iframe's srcdoc carries it (HTML-encoded once in the page).</summary>
    private static string EmailHtml(string page) => WebUtility.HtmlDecode(Assert.Single(SrcdocRegex().Matches(page)).Groups[1].Value);

    private static JsonElement Plan(string page) =>
        JsonDocument.Parse(WebUtility.HtmlDecode(PlanRegex().Match(page).Groups[1].Value)).RootElement;

    [Fact]
    public async Task Preview_OneCustomer_PageHasPlanFactsEveryCheckSlotChoicesAndWriter()
    {
        var page = await PageAsync(store.Recommendations, store.EnglishCustomer);
        // What the email says, entities decoded (the template engine may encode any non-ASCII character).
        var email = WebUtility.HtmlDecode(EmailHtml(page));

        var plan = Plan(page);
        Assert.Equal(store.Recommendations, plan.GetProperty("CampaignId").GetString());
        Assert.Equal("recommendations", plan.GetProperty("CampaignType").GetString());
        Assert.Equal(store.EnglishCustomer, plan.GetProperty("Recipient").GetProperty("CustomerId").GetString());
        Assert.Equal(store.EnglishFirstName, plan.GetProperty("Recipient").GetProperty("FirstName").GetString());
        Assert.Contains(store.EnglishFirstName, email, StringComparison.Ordinal);
        var products = plan.GetProperty("Products").EnumerateArray().ToList();
        Assert.InRange(products.Count, store.Settings.Compose.MinProducts, store.Settings.Compose.MaxProducts);
        foreach (var p in products)
        {
            // Every product fact in the plan is the catalog's, and the email shows it.
            var product = store.Snapshot.ProductsById[p.GetProperty("ProductId").GetString()!];
            Assert.Equal(product.Price, p.GetProperty("Price").GetProperty("Value").GetDecimal());
            Assert.Equal(product.Currency, p.GetProperty("Price").GetProperty("Currency").GetString());
            var title = p.GetProperty("Title").GetString()!;
            Assert.Contains(title, product.Localized.Values.Select(l => l.Title).Append(product.Title));
            Assert.Contains(title, email, StringComparison.Ordinal);
            Assert.Contains(p.GetProperty("Price").GetProperty("Formatted").GetString()!, email, StringComparison.Ordinal);
        }

        // Every guardrail has a row with its result; the kept copy passed them all.
        foreach (var check in EmailPreview.CheckNames)
        {
            Assert.Matches($"<tr data-check=\"{check}\"><td>{check}</td><td class=\"pass\">pass</td>", page);
        }
        Assert.Equal(EmailPreview.CheckNames.Count, CheckRowRegex().Count(page));

        // The slot choices: the copy slots and the layout's, each with the variant that filled it.
        var rows = ChoiceRegex().Matches(page);
        var choices = rows.ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        foreach (var slot in new[] { "subject", "preheader", "opening", "cta", "greeting", "signoff" })
        {
            Assert.True(choices.ContainsKey(slot), $"no choice for {slot}: {string.Join(", ", choices.Keys)}");
        }
        Assert.StartsWith("en-US:recommendations:subject:", choices["subject"], StringComparison.Ordinal);
        // Each drawn choice shows the probability recorded for Learn: a number in (0, 1], or a dash when a rule replaced the draw.
        var probabilities = rows.Select(m => m.Groups[3].Value).ToList();
        Assert.All(probabilities, p => Assert.True(p == "–" || double.Parse(p, System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 1, p));
        Assert.Contains(probabilities, p => p != "–");
        Assert.Contains("Writer: <strong>builtin</strong></p>", page, StringComparison.Ordinal);
    }

    private async Task<(string Id, string Outbox)> SendAsync(string name, long seed)
    {
        var id = new CampaignRunner(store.Store, store.Settings).Create("recommendations", name, "all", null, seed).CampaignId;
        var outbox = Path.Combine(store.Root, "outbox-" + id);
        var compose = await store.RunAsync(["campaign", "compose", id, "--outbox", outbox]);
        Assert.True(compose.Code == ExitCode.Success, $"exit {compose.Code}: {compose.Error}");
        return (id, outbox);
    }

    [Fact]
    public async Task Preview_AfterTheCampaignIsSent_SaysTheSentSubjectAndRecordedSlotChoicesWithLearnedArms()
    {
        // An earlier campaign of the type, whose least-drawn subject wording every recipient clicked: the next
        // campaign's phrase-slot arms then weigh that wording up, so drawing without them would show other numbers.
        var (earlier, _) = await SendAsync("Learned from", 8);
        using (var connection = store.Store.OpenConnection())
        {
            MailsmithStore.Execute(connection, $"""
                INSERT INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, is_machine)
                SELECT s.send_id, s.campaign_id, s.customer_id, s.variant, 'click', {DbValues.ToDb(DateTimeOffset.UtcNow.AddSeconds(-1))}, 0
                FROM sends s JOIN phrase_choices c ON c.send_id = s.send_id
                WHERE s.campaign_id = '{earlier}' AND s.state = 'sent' AND c.slot = 'subject'
                  AND c.variant_id = (SELECT c2.variant_id FROM phrase_choices c2 JOIN sends s2 ON s2.send_id = c2.send_id
                                      WHERE s2.campaign_id = '{earlier}' AND c2.slot = 'subject'
                                      GROUP BY c2.variant_id ORDER BY count(*), c2.variant_id LIMIT 1)
                """, null);
        }
        var (id, outbox) = await SendAsync("Sent first", 9);
        var arms = PhraseSlotArms.LoadPrior(store.Store, store.Store.GetCampaign(id)!, store.Settings.Learn);
        Assert.Contains(arms.Counts, c => c.Key.Slot == "subject" && c.Value.Successes > 0);
        var sends = store.Store.LoadSends(id).Where(s => s.State == SendState.Sent).ToList();
        foreach (var customer in new[] { store.EnglishCustomer, store.ChineseCustomer })
        {
            var send = sends.Single(s => s.CustomerId == customer);
            var sent = MimeKit.MimeMessage.Load(Path.Combine(outbox, id, customer + ".eml"));
            var page = await PageAsync(id, customer);
            Assert.Equal(sent.Subject, WebUtility.HtmlDecode(SubjectRegex().Match(page).Groups[1].Value));

            // What the send path recorded for Learn (slot, variant, probability) is what the preview shows.
            var shown = ChoiceRegex().Matches(page).ToDictionary(m => m.Groups[1].Value, m => (m.Groups[2].Value, m.Groups[3].Value));
            using var connection = store.Store.OpenConnection();
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT slot, variant_id, probability FROM phrase_choices WHERE send_id = $send";
            select.Parameters.AddWithValue("$send", send.SendId);
            using var reader = select.ExecuteReader();
            var recorded = 0;
            while (reader.Read())
            {
                recorded++;
                var slot = reader.GetString(0);
                var probability = reader.IsDBNull(2) ? "–" : reader.GetDouble(2).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(shown.TryGetValue(slot, out var row), $"{customer}: slot {slot} was recorded but is not shown");
                Assert.Equal((reader.GetString(1), probability), row);
            }
            Assert.Equal(shown.Count, recorded);
        }
    }

    [Fact]
    public async Task Preview_CustomerNamedScriptTag_IsEscapedInPageAndEmail()
    {
        var page = await PageAsync(store.Recommendations, store.ScriptedCustomer);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.Equal(PreviewStoreFixture.ScriptName, Plan(page).GetProperty("Recipient").GetProperty("FirstName").GetString());
        // The email inside escapes it too (the template engine's escaping), so the decoded srcdoc has no tag either.
        var email = EmailHtml(page);
        Assert.DoesNotContain("<script", email, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", email, StringComparison.Ordinal);
        // The campaign's markup name is text, not markup, in the page title.
        Assert.DoesNotContain("<b>for</b>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_Links_GoStraightToTheStoreWithoutTrackingOrPixel()
    {
        var email = EmailHtml(await PageAsync(store.Recommendations, store.ChineseCustomer));
        var hrefs = HrefRegex().Matches(email).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.True(hrefs.Count >= 5, $"{hrefs.Count} links");
        Assert.All(hrefs, h => Assert.True(
            h.StartsWith(store.Settings.Sender.StoreUrl, StringComparison.Ordinal) || h == EmailPreview.InertUnsubscribe,
            $"{h} is neither a store page nor the inert unsubscribe link"));
        Assert.Contains(EmailPreview.InertUnsubscribe, hrefs);
        Assert.DoesNotContain(store.Settings.Track.BaseUrl, email, StringComparison.Ordinal);
        Assert.DoesNotContain("width=\"1\" height=\"1\"", email, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_Gallery_ByCampaignType_WritesDefaultPathStratifiedByLocaleAndLifecycle()
    {
        var cwd = Directory.CreateDirectory(Path.Combine(store.Root, "cwd")).FullName;
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = cwd;
        try
        {
            var (code, output, error) = await store.RunAsync(["preview", "--campaign", "winback", "--samples", "6"]);
            Assert.True(code == ExitCode.Success, $"exit {code}: {error}");
            var relative = Path.Combine("preview", store.Winback + ".html");
            Assert.Equal(relative, output.Trim());
            var page = await File.ReadAllTextAsync(Path.Combine(cwd, relative));
            var cards = CardRegex().Matches(page);
            Assert.Equal(6, cards.Count);
            // Six strata exist in a 200-customer store, so six cards are six different locale × lifecycle pairs.
            Assert.Equal(6, cards.Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Distinct().Count());
            Assert.All(cards, m => Assert.Equal("winback", m.Groups[3].Value));
            Assert.Equal(6, Regex.Count(page, "<table data-checks>"));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Fact]
    public async Task Preview_BadIds_ExitWithDocumentedCodesAndMessages()
    {
        var file = Path.Combine(store.Root, "bad", "never.html");
        var noCampaign = await store.RunAsync(["preview", "--campaign", "cmp-9999", "--out", file]);
        Assert.Equal(ExitCode.NotFound, noCampaign.Code);
        Assert.Contains("no campaign with id or type 'cmp-9999'", noCampaign.Error, StringComparison.Ordinal);

        var noCustomer = await store.RunAsync(["preview", "--campaign", store.Recommendations, "--customer", "C99999", "--out", file]);
        Assert.Equal(ExitCode.NotFound, noCustomer.Code);
        Assert.Contains("no customer 'C99999'", noCustomer.Error, StringComparison.Ordinal);

        var missing = await store.RunAsync(["preview"]);
        Assert.Equal(ExitCode.Usage, missing.Code);
        Assert.Contains("--campaign is required", missing.Error, StringComparison.Ordinal);

        var both = await store.RunAsync(["preview", "--serve", "--customer", store.EnglishCustomer]);
        Assert.Equal(ExitCode.Usage, both.Code);
        Assert.Contains("--customer cannot be combined with --serve", both.Error, StringComparison.Ordinal);

        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task PreviewServe_AnswersOnLoopbackOverHttpUntilCancelled()
    {
        var port = FreePort();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var run = store.RunAsync(["preview", "--serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--samples", "2"], stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(2) };
        // The store's context is built before the listener starts: poll until it answers (or the command ends).
        HttpResponseMessage? index = null;
        while (index is null && !run.IsCompleted)
        {
            try
            {
                index = await http.GetAsync("/");
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }
        Assert.True(index is not null, $"never answered: {(run.IsCompleted ? (await run).Error : "")}");
        Assert.Equal(HttpStatusCode.OK, index!.StatusCode);
        Assert.Equal("text/html; charset=utf-8", index.Content.Headers.ContentType?.ToString());
        var list = await index.Content.ReadAsStringAsync();
        Assert.Contains($"href=\"/c/{store.Recommendations}\"", list, StringComparison.Ordinal);
        Assert.Contains($"href=\"/c/{store.Winback}\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>for</b>", list, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;for&lt;/b&gt;", list, StringComparison.Ordinal);

        var gallery = await http.GetStringAsync($"/c/{store.Recommendations}");
        Assert.Equal(2, CardRegex().Count(gallery));
        var one = await http.GetStringAsync($"/c/{store.Recommendations}/{store.ScriptedCustomer}");
        Assert.Single(CardRegex().Matches(one));
        Assert.DoesNotContain("<script", one, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<pre data-plan>", one, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/c/cmp-9999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/c/{store.Recommendations}/C99999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/elsewhere")).StatusCode);

        await stop.CancelAsync();
        var (code, output, _) = await run;
        Assert.Equal(ExitCode.Success, code);
        Assert.Contains($"mailsmith preview: http://127.0.0.1:{port}/", output, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/"));
    }

    [Fact]
    public async Task PreviewServe_PortTaken_FailsWithClearMessage()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, _, error) = await store.RunAsync(["preview", "--serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(ExitCode.Failed, code);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex("srcdoc=\"([^\"]*)\"")]
    private static partial Regex SrcdocRegex();

    [GeneratedRegex("<strong data-subject>([^<]*)</strong>")]
    private static partial Regex SubjectRegex();

    [GeneratedRegex("<pre data-plan>([^<]*)</pre>")]
    private static partial Regex PlanRegex();

    [GeneratedRegex("<tr data-check=")]
    private static partial Regex CheckRowRegex();

    [GeneratedRegex("<tr><td>([^<]+)</td><td>([^<]+)</td><td>[^<]*</td><td data-probability>([^<]+)</td></tr>")]
    private static partial Regex ChoiceRegex();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex HrefRegex();

    [GeneratedRegex("<div class=\"card\" id=\"m\\d+\"><h2>[^<]+ <span class=\"tag\">([^<]+)</span> <span class=\"tag\">([^<]+)</span> <span class=\"tag\">([^<]+)</span>")]
    private static partial Regex CardRegex();
}
