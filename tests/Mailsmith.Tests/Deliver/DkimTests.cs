using System.Diagnostics;
using Mailsmith.Deliver;
using Mailsmith.Pipeline;

namespace Mailsmith.Tests.Deliver;

/// <summary>DKIM signatures as received by smtp-sink, verified by an independent verifier (Debian's python3-dkim).</summary>
public sealed class DkimTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-dkim-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Theory]
    [InlineData("rsa-sha256")]
    [InlineData("ed25519-sha256")]
    public async Task SendAsync_SignedMessages_VerifyWithPythonDkimAndATamperedOneDoesNot(string algorithm)
    {
        var (pem, dns) = DkimSigner.GenerateKey(algorithm);
        var keyPath = Path.Combine(_dir, "dkim.pem");
        await File.WriteAllTextAsync(keyPath, pem);
        var (store, settings) = DeliveryStore.Create(_dir, 80, new() { ["Dkim:KeyPath"] = keyPath, ["Dkim:Selector"] = "s2026" });
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"));
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 1);
        using var dkim = DkimSigner.FromOptions(settings.Dkim, settings.Sender)!;
        Assert.Equal(algorithm, dkim.Algorithm);
        var options = new SmtpOptions { Concurrency = 4 };
        await using (var sender = new SmtpSender(SmtpRelay.From(sink.Url, options), options, dkim))
        {
            await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true, Concurrency = 4 });
        }
        var messages = sink.Messages();
        Assert.True(messages.Count > 40);
        var files = new List<string>();
        foreach (var (m, i) in messages.Select((m, i) => (m, i)))
        {
            var path = Path.Combine(_dir, $"m{i}.eml");
            await File.WriteAllTextAsync(path, m.Raw.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
            files.Add(path);
        }
        Assert.Contains("DKIM-Signature: v=1; a=" + algorithm + "; c=relaxed/relaxed; d=shop.example; s=s2026;", messages[0].Raw, StringComparison.Ordinal);
        Assert.Contains("x-mailsmith-message", messages[0].Raw, StringComparison.Ordinal);

        var (ok, failed) = await VerifyAsync(dns, files);
        Assert.Equal((files.Count, 0), (ok, failed));

        // The verifier is not a rubber stamp: one changed character in the body fails it.
        var tampered = Path.Combine(_dir, "tampered.eml");
        var text = await File.ReadAllTextAsync(files[0]);
        var at = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.True(at > 4);
        await File.WriteAllTextAsync(tampered, text[..at] + "x" + text[at..]);
        Assert.Equal((0, 1), await VerifyAsync(dns, [tampered]));
    }

    private async Task<(int Ok, int Failed)> VerifyAsync(string dnsRecord, IReadOnlyList<string> files)
    {
        var script = Path.Combine(_dir, "verify.py");
        await File.WriteAllTextAsync(script, """
            import sys, dkim
            record = open(sys.argv[1], 'rb').read()
            ok = bad = 0
            for path in sys.argv[2:]:
                if dkim.verify(open(path, 'rb').read(), dnsfunc=lambda name, timeout=5: record):
                    ok += 1
                else:
                    bad += 1
            print(ok, bad)
            """);
        var dns = Path.Combine(_dir, "dns.txt");
        await File.WriteAllTextAsync(dns, dnsRecord);
        // Debian's interpreter: the python3 first on PATH may be a separate build that does not see python3-dkim.
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, dns }.Concat(files))
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        var parts = output.Trim().Split(' ');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
