using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Learn;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Tests.Deliver;

namespace Mailsmith.Tests.Compose;

/// <summary>
/// A byte-for-byte regression guard for compose → guardrails → render → MIME (<see cref="MimeBuilder.Write"/>): about
/// 3,000 emails of a seeded generated store, every campaign type, every generated locale, some with offers, hashed
/// (SHA-256) with their check failures. Speed work on the composer, the guardrails or the MIME writer must leave the
/// digest as it is; a change meant to alter output records the new digest in the same commit and says why.
/// </summary>
/// <remarks>
/// The inputs (generated store, profiles, recommendations) are hashed separately: when upstream stages change, the input
/// digest fails first, so a compose-side failure always means compose, render or MIME output changed. The MIME
/// boundary is random per message; its value is replaced by a fixed one before hashing.
/// </remarks>
public sealed class ComposeGoldenTests : IDisposable
{
    // Inputs recorded from main at bb2b21b (before the compose speed work of 2026-12-04); the speed work kept the output
    // digest. Output re-recorded on purpose for wording changes only: offers with a code stopped drawing "applies at
    // checkout by itself" wording (has_code; 600a84cd… before), say-it-once covered the time-of-day greeting (c54f8033…),
    // the promotion body no longer claims a sale price the plan does not have (1d68b30c…), and every birthday opening
    // says happy birthday without a second, repeated wish in the body (efb35483…).
    private const string InputDigest = "877e5cc67dbeae77bd9255e2e888e30b5709119ebf540562048936f3864a4bfc";
    private const string OutputDigest = "68bc885b8235c1691979f982970f281a96e7f0238981855f6f2786e23a61db4f";

    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-golden-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void Compose_GeneratedStore_EveryByteAsRecorded()
    {
        var (inputs, outputs, counts) = Run();
        Assert.True(counts.Composed >= 2500, $"only {counts.Composed} emails composed");
        Assert.True(counts.ByLocale.GetValueOrDefault("zh-CN") >= 500 && counts.ByLocale.GetValueOrDefault("en-US") >= 500,
            string.Join(", ", counts.ByLocale.Select(p => $"{p.Key}={p.Value}")));
        Assert.True(counts.WithOffer >= 200, $"only {counts.WithOffer} emails with an offer");
        // The tampered copies exercise the failure paths: most of them must fail a check.
        Assert.True(counts.TamperedFailed >= counts.Composed / 4, $"only {counts.TamperedFailed} tampered copies failed a check");
        Assert.True(inputs == InputDigest,
            $"the inputs changed (generator, profile or recommend stage): {inputs}. Record both digests again from main's code, before any compose change.");
        Assert.True(outputs == OutputDigest, $"compose/render/MIME output changed: {outputs} (composed {counts.Composed}, failed {counts.Failed}, tampered copies failed {counts.TamperedFailed})");
    }

    [Fact]
    public void Digest_OneCharacterOfOneEmailChanged_Differs()
    {
        var email = new ComposedEmail("en-US", "Subject", "Pre", "<p>Hello</p>", "Hello", ["P1"]);
        var a = new GoldenHash();
        a.Email(email);
        var b = new GoldenHash();
        b.Email(email with { Html = "<p>Hellp</p>" });
        Assert.NotEqual(a.Finish(), b.Finish());
        Assert.Equal("Content-Type: x; boundary=\"=_BOUNDARY\"\r\n\r\n--=_BOUNDARY\r\nx\r\n--=_BOUNDARY--\r\n",
            Encoding.ASCII.GetString(GoldenHash.FixBoundary("Content-Type: x; boundary=\"=_0A1B\"\r\n\r\n--=_0A1B\r\nx\r\n--=_0A1B--\r\n"u8.ToArray())));
    }

    private (string Inputs, string Outputs, (int Composed, int Failed, int WithOffer, int TamperedFailed, Dictionary<string, int> ByLocale) Counts) Run()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 250, seed: 11);
        var context = PipelineContext.Prepare(store, settings, saveProfiles: false);
        var snapshot = context.Snapshot;
        var composer = new EmailComposer(settings.Compose, settings.Sender, id => snapshot.ProductsById.GetValueOrDefault(id));
        var mime = new MimeBuilder(settings.Sender);
        var inputs = new GoldenHash();
        var outputs = new GoldenHash();
        var byLocale = new Dictionary<string, int>(StringComparer.Ordinal);
        int composed = 0, failed = 0, withOffer = 0, tamperedFailed = 0;
        var date = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        var types = CampaignTypes.All;
        for (var t = 0; t < types.Count; t++)
        {
            var type = types[t];
            var campaign = new Campaign($"golden-{t:00}", type, "Golden " + type, "all", CampaignStatus.Composing,
                [new CampaignVariant("A", 1)], 100 + t, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
            foreach (var customer in snapshot.Customers)
            {
                if (!context.Profiles.TryGetValue(customer.CustomerId, out var profile))
                {
                    continue;
                }
                var recommendations = context.Recommendations.For(type, customer, profile, 4);
                inputs.Text(type).Text(customer.CustomerId).Text(customer.Locale).Text(profile.ToString());
                foreach (var r in recommendations)
                {
                    inputs.Text(r.ProductId).Text(r.Score.ToString("R", CultureInfo.InvariantCulture)).Text(r.Reason.ToString());
                }
                if (recommendations.Count < settings.Compose.MinProducts)
                {
                    continue;
                }
                var blocks = recommendations.Select(r => new ProductBlock(snapshot.ProductsById[r.ProductId], r)).ToList();
                var links = new EmailLinks($"https://t.example/u/{customer.CustomerId}", url => "https://t.example/c?u=" + Uri.EscapeDataString(url))
                {
                    OpenPixel = $"https://t.example/o/{customer.CustomerId}.gif",
                };
                // Offers (the percent, amount, code and expiry grounding paths) on a share of the emails.
                var offerPick = (composed + failed) % 4;
                CampaignOffer? offer = offerPick switch
                {
                    0 => new CampaignOffer("SAVE15", 15, Expires: new DateOnly(2026, 12, 31)),
                    1 when type is CampaignTypes.Winback or CampaignTypes.Promotion => new CampaignOffer(null, null, 10m, "USD"),
                    _ => null,
                };
                var emailContext = new EmailContext(campaign, "A", customer, profile, blocks, links, context.AsOf,
                    VariantAssigner.Seed(campaign.Seed, customer.CustomerId, "compose")) { Offer = offer };
                ComposedEmail email;
                try
                {
                    email = composer.Compose(emailContext);
                }
                catch (CopyCheckException e)
                {
                    failed++;
                    outputs.Text("failed").Text(customer.CustomerId).Text(string.Join("\n", e.Failures.Select(f => f.ToString())));
                    continue;
                }
                catch (TemplateRenderException e)
                {
                    failed++;
                    outputs.Text("template").Text(customer.CustomerId).Text(e.Message);
                    continue;
                }
                composed++;
                var (verdicts, passed) = Guardrails(composer, emailContext, composed);
                tamperedFailed += passed ? 0 : 1;
                outputs.Text(verdicts);
                withOffer += offer is null ? 0 : 1;
                byLocale[email.Locale] = byLocale.GetValueOrDefault(email.Locale) + 1;
                outputs.Text(customer.CustomerId).Email(email);
                var envelope = new MessageEnvelope($"<{campaign.CampaignId}.{customer.CustomerId}.golden@shop.example>",
                    $"https://t.example/u/{customer.CustomerId}", "tok-" + customer.CustomerId, campaign.CampaignId, type, date);
                outputs.Bytes(GoldenHash.FixBoundary(mime.Write(email, customer, envelope)));
            }
        }
        return (inputs.Finish(), outputs.Finish(), (composed, failed, withOffer, tamperedFailed, byLocale));
    }

    /// <summary>
    /// What grounding reads of each fragment (every plan fact blanked out), and the verdict on the copy with one
    /// invented or re-cased fact added (a rotating set: percentages, codes, dates, prices, re-cased and cut titles):
    /// the emails above all pass, so this is what holds the failure paths to their exact results.
    /// </summary>
    private static (string Text, bool Passed) Guardrails(EmailComposer composer, EmailContext context, int index)
    {
        var plan = composer.Plan(context);
        var copy = composer.WriteCopy(plan);
        var facts = CopyChecks.AllowedFacts(plan);
        var scratch = new StringBuilder();
        var seen = new StringBuilder();
        foreach (var fragment in new[] { copy.Subject, copy.Preheader }.Concat(copy.Paragraphs).Concat(copy.ProductBlurbs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)))
        {
            seen.Append(CopyChecks.Blank(fragment, facts, scratch)).Append('\n');
        }
        var lead = plan.Products[0];
        var paragraph = copy.Paragraphs[0];
        var tampered = (index % 8) switch
        {
            0 => copy with { Paragraphs = [paragraph + " " + lead.Title.ToUpperInvariant(), .. copy.Paragraphs.Skip(1)] },
            1 => copy with { Paragraphs = [paragraph + " Save 50% today.", .. copy.Paragraphs.Skip(1)] },
            2 => copy with { Paragraphs = [paragraph + " Use code SAVE99 before 12/31/2026.", .. copy.Paragraphs.Skip(1)] },
            3 => copy with { Subject = copy.Subject + " " + lead.Title.ToLowerInvariant() },
            4 => copy with { Paragraphs = [paragraph + " " + lead.Title[..Math.Max(1, lead.Title.Length / 2)] + "…", .. copy.Paragraphs.Skip(1)] },
            5 => copy with { Paragraphs = [paragraph + " " + plan.StoreName + " " + plan.Recipient.FirstName?.ToLowerInvariant(), .. copy.Paragraphs.Skip(1)] },
            6 => copy with { Paragraphs = [paragraph + " Only " + lead.Price.Formatted + " or ¥12.00.", .. copy.Paragraphs.Skip(1)] },
            _ => copy,
        };
        var result = CopyChecks.Check(plan, tampered);
        seen.Append(result.Passed).Append('\n');
        foreach (var failure in result.Failures)
        {
            seen.Append(failure).Append('\n');
        }
        return (seen.ToString(), result.Passed);
    }

    /// <summary>SHA-256 over length-prefixed fields.</summary>
    private sealed class GoldenHash
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public GoldenHash Text(string? text) => Bytes(Encoding.UTF8.GetBytes(text ?? "\0null"));

        public GoldenHash Bytes(ReadOnlySpan<byte> bytes)
        {
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            _hash.AppendData(length);
            _hash.AppendData(bytes);
            return this;
        }

        public GoldenHash Email(ComposedEmail email)
        {
            Text(email.Locale).Text(email.Subject).Text(email.Preheader).Text(email.Html).Text(email.Text).Text(string.Join(",", email.ProductIds));
            foreach (var choice in email.Choices)
            {
                Text(choice.Slot).Text(choice.VariantId).Text(string.Join(",", choice.Tags));
            }
            return this;
        }

        public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        /// <summary>The message with its random multipart boundary replaced by <c>=_BOUNDARY</c> everywhere.</summary>
        public static byte[] FixBoundary(byte[] message)
        {
            var span = message.AsSpan();
            var key = "boundary=\""u8;
            var at = span.IndexOf(key);
            Assert.True(at >= 0, "no multipart boundary");
            var start = at + key.Length;
            var length = span[start..].IndexOf((byte)'"');
            var boundary = span.Slice(start, length).ToArray();
            var output = new List<byte>(message.Length);
            var rest = span;
            int next;
            while ((next = rest.IndexOf(boundary)) >= 0)
            {
                output.AddRange(rest[..next]);
                output.AddRange("=_BOUNDARY"u8);
                rest = rest[(next + boundary.Length)..];
            }
            output.AddRange(rest);
            return [.. output];
        }
    }
}
