using System.Net;
using System.Text;
using System.Text.Json;
using Mailsmith.Cli;
using Mailsmith.Storage;
using Mailsmith.Tests.Server;
using Mailsmith.Track;

namespace Mailsmith.Tests.Deliver;

/// <summary>
/// DSN (RFC 3464) and ARF (RFC 5965) reports in an mbox, as MTAs and mailbox providers write them, imported with
/// <c>bounces import --mbox</c> and posted to <c>/api/webhooks/dsn</c> on a real Kestrel.
/// </summary>
[Collection("Console")]
public sealed class BounceImportTests
{
    // Messages of an mbox: each starts with its "From " line.
    private static string Mbox(params string[] messages) =>
        string.Concat(messages.Select((m, i) => $"From MAILER-DAEMON Thu Dec  3 09:{i:D2}:00 2026\n{m.ReplaceLineEndings("\n").TrimEnd('\n')}\n\n"));

    private static string Returned(Send send, string? token, bool headersOnly) =>
        (headersOnly ? "Content-Type: text/rfc822-headers\n\n" : "Content-Type: message/rfc822\n\n") +
        $"Message-ID: {send.MessageId}\n" + (token is null ? "" : $"X-Mailsmith-Message: {token}\n") +
        $"From: Shop <news@shop.example>\nTo: {send.CustomerId}@wherever.example\nSubject: Picked for you\nMIME-Version: 1.0\nContent-Type: text/plain\n" +
        (headersOnly ? "\n" : "\nHello, here are your picks.\n");

    /// <summary>A DSN with one recipient group per (recipient, action, status), optionally returning the original.</summary>
    public static string Dsn(string id, IEnumerable<(string Recipient, string Action, string? Status)> recipients, string? returned = null)
    {
        var groups = string.Concat(recipients.Select(r =>
            $"\nFinal-Recipient: rfc822; {r.Recipient}\nAction: {r.Action}\n" + (r.Status is null ? "" : $"Status: {r.Status}\n") +
            "Remote-MTA: dns; mx.example.com\n" +
            (r.Status is { } s && s[0] is '4' or '5' ? $"Diagnostic-Code: smtp; {(s[0] == '5' ? "550" : "452")} {s} <{r.Recipient}>:\n    Recipient address rejected\n" : "")));
        return $"""
            Return-Path: <>
            Date: Thu, 3 Dec 2026 09:00:00 +0000
            From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
            To: bounces@shop.example
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <{id}@mx.example.net>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

            This is a MIME-encapsulated message.

            --BOUNDARY
            Content-Type: text/plain; charset=us-ascii

            I'm sorry to have to inform you that your message could not be delivered.

            --BOUNDARY
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.net
            Arrival-Date: Thu, 3 Dec 2026 08:59:58 +0000
            {groups}
            """ + (returned is null ? "" : "\n--BOUNDARY\n" + returned) + "\n--BOUNDARY--\n";
    }

    /// <summary>An ARF report (RFC 5965 section 3 example shape) on one of our messages.</summary>
    public static string Arf(string id, string feedbackType, string originalRcptTo, string returned) => $"""
        Date: Thu, 3 Dec 2026 10:00:00 +0000
        From: <abuse@mailbox.example>
        To: <fbl@shop.example>
        Subject: FW: Picked for you
        Message-ID: <{id}@mailbox.example>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="part1_13d.2e68ed54_boundary"

        --part1_13d.2e68ed54_boundary
        Content-Type: text/plain; charset="US-ASCII"

        This is an email abuse report for an email message received from IP 192.0.2.1.

        --part1_13d.2e68ed54_boundary
        Content-Type: message/feedback-report

        Feedback-Type: {feedbackType}
        User-Agent: SomeGenerator/1.0
        Version: 1
        Original-Mail-From: <bounces@shop.example>
        Original-Rcpt-To: <{originalRcptTo}>
        Arrival-Date: Thu, 3 Dec 2026 09:30:00 +0000
        Reported-Domain: shop.example
        Source-IP: 192.0.2.1

        --part1_13d.2e68ed54_boundary
        """ + "\n" + returned + "\n--part1_13d.2e68ed54_boundary--\n";

    private const string OutOfOffice = """
        Date: Thu, 3 Dec 2026 09:10:00 +0000
        From: Reader Nine <reader9@example.com>
        To: news@shop.example
        Subject: Out of office
        Message-ID: <ooo-1@example.com>

        I am away until Monday.
        """;

    private static Dictionary<string, Send> ByCustomer(ServerHarness h) => h.Sends.ToDictionary(s => s.CustomerId, StringComparer.Ordinal);

    // Every kind of message a bounce mailbox receives, on the harness's customers c001…c010.
    private static string Mailbox(ServerHarness h)
    {
        var s = ByCustomer(h);
        return Mbox(
            // c001: hard bounce returning the whole message with our signed token.
            Dsn("d1", [("reader1@example.com", "failed", "5.1.1")], Returned(s["c001"], h.Links.MessageToken(h.Ref(s["c001"])), headersOnly: false)),
            // c002: hard bounce returning only the headers, without the token: found by Message-ID.
            Dsn("d2", [("reader2@example.com", "failed", "5.2.1")], Returned(s["c002"], null, headersOnly: true)),
            // c003: a delay (soft): recorded, not suppressed.
            Dsn("d3", [("reader3@example.com", "delayed", "4.2.2")], Returned(s["c003"], null, headersOnly: true)),
            // c004: hard bounce without the original: found by Final-Recipient.
            Dsn("d4", [("Reader4@Example.com", "failed", "5.1.1")]),
            // c005: an abuse complaint.
            Arf("a5", "abuse", "reader5@example.com", Returned(s["c005"], null, headersOnly: true)),
            // c006 and c007 in one DSN that returns c006's message: c007 is found by its address.
            Dsn("d67", [("reader6@example.com", "failed", "5.1.1"), ("reader7@example.com", "failed", "5.4.4")], Returned(s["c006"], null, headersOnly: false)),
            // Nobody we mailed.
            Dsn("d-stranger", [("stranger@elsewhere.example", "failed", "5.1.1")]),
            // Not failures: a success notification, a not-spam feedback report, an auto-reply.
            Dsn("d8", [("reader8@example.com", "delivered", "2.0.0")], Returned(s["c008"], null, headersOnly: true)),
            Arf("a9", "not-spam", "reader9@example.com", Returned(s["c009"], null, headersOnly: true)),
            OutOfOffice);
    }

    [Fact]
    public async Task ImportMbox_DsnAndArfReports_SuppressHardBouncesAndComplaintsRecordSoftOnesAndARerunAddsNothing()
    {
        await using var h = await ServerHarness.StartAsync();
        var path = Path.Combine(h.Dir, "bounces.mbox");
        await File.WriteAllTextAsync(path, Mailbox(h));
        var importer = new BounceImporter(h.Store, h.Links);

        var result = importer.ImportMbox(path);

        Assert.Equal(10, result.Messages);
        Assert.Equal(1, result.NotReports);
        Assert.Equal(2, result.Other);
        Assert.Equal(6, result.New[DeliveryReportKind.HardBounce]);
        Assert.Equal(1, result.New[DeliveryReportKind.SoftBounce]);
        Assert.Equal(1, result.New[DeliveryReportKind.Complaint]);
        Assert.Equal(1, result.Unmatched(DeliveryReportKind.HardBounce));
        Assert.Equal(0, result.Unmatched(DeliveryReportKind.SoftBounce));
        Assert.Equal(0, result.Unmatched(DeliveryReportKind.Complaint));
        Assert.Equal(0, result.AlreadyImported);
        Assert.Equal(7, result.Suppressed);
        Assert.Equal(6, result.Events);

        var suppressed = h.Store.LoadSuppressedEmails();
        foreach (var i in new[] { 1, 2, 4, 5, 6, 7 })
        {
            Assert.Contains($"reader{i}@example.com", suppressed);
        }
        Assert.Contains("stranger@elsewhere.example", suppressed);
        Assert.DoesNotContain("reader3@example.com", suppressed);
        Assert.DoesNotContain("reader8@example.com", suppressed);
        Assert.DoesNotContain("reader9@example.com", suppressed);

        // Each report is recorded against its message and campaign, found the way the report allowed.
        var s = ByCustomer(h);
        var rows = new Dictionary<string, (string Kind, string MatchedBy, long? SendId, string? Campaign, string? Status)>(StringComparer.Ordinal);
        using (var connection = h.Store.OpenConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT recipient, kind, matched_by, send_id, campaign_id, status FROM delivery_reports";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5));
            }
        }
        Assert.Equal(8, rows.Count);
        Assert.Equal((DeliveryReportKind.HardBounce, "token", s["c001"].SendId, h.Campaign.CampaignId, "5.1.1"), rows["reader1@example.com"]);
        Assert.Equal((DeliveryReportKind.HardBounce, "message_id", s["c002"].SendId, h.Campaign.CampaignId, "5.2.1"), rows["reader2@example.com"]);
        Assert.Equal((DeliveryReportKind.SoftBounce, "message_id", s["c003"].SendId, h.Campaign.CampaignId, "4.2.2"), rows["reader3@example.com"]);
        Assert.Equal((DeliveryReportKind.HardBounce, "recipient", s["c004"].SendId, h.Campaign.CampaignId, "5.1.1"), rows["reader4@example.com"]);
        Assert.Equal((DeliveryReportKind.Complaint, "message_id", s["c005"].SendId, h.Campaign.CampaignId, "abuse"), rows["reader5@example.com"]);
        Assert.Equal((DeliveryReportKind.HardBounce, "message_id", s["c006"].SendId, h.Campaign.CampaignId, "5.1.1"), rows["reader6@example.com"]);
        Assert.Equal((DeliveryReportKind.HardBounce, "recipient", s["c007"].SendId, h.Campaign.CampaignId, "5.4.4"), rows["reader7@example.com"]);
        Assert.Equal((DeliveryReportKind.HardBounce, "none", (long?)null, (string?)null, "5.1.1"), rows["stranger@elsewhere.example"]);
        Assert.Equal(5, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'bounce'"));
        Assert.Equal(1, h.Count($"SELECT count(*) FROM engagement_events WHERE type = 'complaint' AND send_id = {s["c005"].SendId}"));
        Assert.Equal(0, h.Count($"SELECT count(*) FROM engagement_events WHERE send_id = {s["c003"].SendId}"));
        Assert.Equal("smtp; 550 5.1.1 <reader1@example.com>: Recipient address rejected",
            ReadString(h, $"SELECT url FROM engagement_events WHERE type = 'bounce' AND send_id = {s["c001"].SendId}"));

        // The same file again: nothing is added.
        var again = importer.ImportMbox(path);
        Assert.Empty(again.New);
        Assert.Equal(8, again.AlreadyImported);
        Assert.Equal((0, 0), (again.Suppressed, again.Events));
        Assert.Equal(8, h.Count("SELECT count(*) FROM delivery_reports"));
        Assert.Equal(6, h.Count("SELECT count(*) FROM engagement_events WHERE type IN ('bounce', 'complaint')"));
        Assert.Equal(7, h.Count("SELECT count(*) FROM suppressions"));
    }

    [Fact]
    public async Task ImportMbox_MalformedReport_NamesFileMessageAndLineAndStoresNothing()
    {
        await using var h = await ServerHarness.StartAsync(customers: 3);
        var good = Dsn("ok", [("reader1@example.com", "failed", "5.1.1")]);
        var bad = Dsn("bad", [("reader2@example.com", "failed", null)]);
        var path = Path.Combine(h.Dir, "broken.mbox");
        var text = Mbox(good, bad);
        await File.WriteAllTextAsync(path, text);
        var line = text.Split('\n').Select((l, i) => (l, i)).Where(x => x.l.StartsWith("From ", StringComparison.Ordinal)).ElementAt(1).i + 1;

        var e = Assert.Throws<FormatException>(() => new BounceImporter(h.Store, h.Links).ImportMbox(path));

        Assert.Equal($"{path}: message 2 (line {line}): message/delivery-status: recipient group 1: Status: missing (RFC 3464 requires class.subject.detail, e.g. 5.1.1)", e.Message);
        Assert.Equal(0, h.Count("SELECT count(*) FROM suppressions"));
        Assert.Equal(0, h.Count("SELECT count(*) FROM delivery_reports"));

        var badStatus = Path.Combine(h.Dir, "status.mbox");
        await File.WriteAllTextAsync(badStatus, Mbox(Dsn("s", [("reader1@example.com", "failed", "550")])));
        e = Assert.Throws<FormatException>(() => new BounceImporter(h.Store, h.Links).ImportMbox(badStatus));
        Assert.Equal($"{badStatus}: message 1 (line 1): message/delivery-status: recipient group 1: Status '550': expected class.subject.detail with class 2, 4 or 5 (e.g. 5.1.1)", e.Message);

        var notMbox = Path.Combine(h.Dir, "single.eml");
        await File.WriteAllTextAsync(notMbox, good);
        e = Assert.Throws<FormatException>(() => new BounceImporter(h.Store, h.Links).ImportMbox(notMbox));
        Assert.StartsWith($"{notMbox}: line 1: not an mbox file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BouncesImportCommand_ImportsOnceAndExitsWithBadDataOnAMalformedMailbox()
    {
        await using var h = await ServerHarness.StartAsync();
        var path = Path.Combine(h.Dir, "bounces.mbox");
        await File.WriteAllTextAsync(path, Mailbox(h));

        var (code, output, _) = await Run(h, "bounces", "import", "--mbox", path);
        Assert.Equal(0, code);
        Assert.Contains("addresses newly suppressed 7, events added 6; already imported 0 (nothing done)", output, StringComparison.Ordinal);
        Assert.Contains("not a report 1 messages; other report parts (delivered, relayed, non-abuse feedback) 2", output, StringComparison.Ordinal);
        (code, output, _) = await Run(h, "bounces", "import", "--mbox", path);
        Assert.Equal(0, code);
        Assert.Contains("addresses newly suppressed 0, events added 0; already imported 8 (nothing done)", output, StringComparison.Ordinal);

        var broken = Path.Combine(h.Dir, "broken.mbox");
        await File.WriteAllTextAsync(broken, Mbox(Arf("x", "", "reader1@example.com", Returned(h.Sends[0], null, headersOnly: true))));
        (code, _, var errors) = await Run(h, "bounces", "import", "--mbox", broken);
        Assert.Equal(ExitCode.BadData, code);
        Assert.Contains($"{broken}: message 1 (line 1): message/feedback-report: Feedback-Type: missing", errors, StringComparison.Ordinal);
        (code, _, errors) = await Run(h, "bounces", "import", "--mbox", Path.Combine(h.Dir, "nope.mbox"));
        Assert.Equal(ExitCode.NotFound, code);
        Assert.Contains("nope.mbox: file not found", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DsnWebhook_ReportAsMessageRfc822_SuppressesOnceNeedsTheKeyAndRefusesOtherBodies()
    {
        await using var h = await ServerHarness.StartAsync();
        var s = ByCustomer(h);
        var dsn = Dsn("w1", [("reader1@example.com", "failed", "5.1.1")], Returned(s["c001"], h.Links.MessageToken(h.Ref(s["c001"])), headersOnly: false));
        HttpRequestMessage Post(string body, string contentType = "message/rfc822", string? key = ServerHarness.ApiKey)
        {
            var request = h.Api(HttpMethod.Post, "/api/webhooks/dsn", key: key);
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ReplaceLineEndings("\r\n")));
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            return request;
        }

        using (var response = await h.Client.SendAsync(Post(dsn)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(1, json.RootElement.GetProperty("hard_bounces").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("matched").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("suppressed").GetInt32());
        }
        using (var response = await h.Client.SendAsync(Post(dsn)))
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(0, json.RootElement.GetProperty("hard_bounces").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("already_imported").GetInt32());
        }
        Assert.Equal(1, h.Count($"SELECT count(*) FROM engagement_events WHERE type = 'bounce' AND send_id = {s["c001"].SendId}"));
        Assert.Contains("reader1@example.com", h.Store.LoadSuppressedEmails());

        var other = Dsn("w2", [("reader2@example.com", "failed", "5.1.1")]);
        using (var response = await h.Client.SendAsync(Post(other, key: null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var response = await h.Client.SendAsync(Post(other, key: "wrong-key")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var response = await h.Client.SendAsync(Post(other, contentType: "application/json")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }
        using (var response = await h.Client.SendAsync(Post(OutOfOffice)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        }
        using (var response = await h.Client.SendAsync(Post(Dsn("w3", [("reader3@example.com", "bounced", "5.1.1")]))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Action 'bounced': expected failed, delayed, delivered, relayed or expanded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain("reader2@example.com", h.Store.LoadSuppressedEmails());
        Assert.DoesNotContain("reader3@example.com", h.Store.LoadSuppressedEmails());
    }

    private static string ReadString(ServerHarness h, string sql)
    {
        using var connection = h.Store.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private static async Task<(int Code, string Output, string Errors)> Run(ServerHarness h, params string[] args)
    {
        var (previousOut, previousError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var errors = new StringWriter();
        Console.SetOut(output);
        Console.SetError(errors);
        try
        {
            var code = await Program.CreateCommand().Parse([.. args, "--db", h.Settings.DatabasePath]).InvokeAsync();
            return (code, output.ToString(), errors.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }
}
