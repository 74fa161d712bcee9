using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Storage;
using MimeKit;

namespace Mailsmith.Tests.Deliver;

public sealed class MimeBuilderTests
{
    private static readonly Customer Chinese = new("C1", "xiaoming@example.com", "小明", "王", "zh-CN", "Asia/Shanghai", null, null, true, null);
    private static readonly ComposedEmail Email = new("zh-CN", "王小明，您的专属推荐到了", "为您挑选的好物", "<p>您好</p>", "您好", ["P1"]);
    private static readonly MessageEnvelope Envelope = new("<cmp-0001.C1.abc@shop.example>", "https://t.example/u/tok", "tok", "cmp-0001", "recommendations",
        DateTimeOffset.Parse("2026-11-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static MimeMessage RoundTrip(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        stream.Position = 0;
        return MimeMessage.Load(stream);
    }

    [Fact]
    public void Build_WritesAlternativeWithUtf8TextThenHtml()
    {
        var message = RoundTrip(new MimeBuilder(new SenderOptions()).Build(Email, Chinese, Envelope));
        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(2, alternative.Count);
        Assert.Equal("text/plain", alternative[0].ContentType.MimeType);
        Assert.Equal("text/html", alternative[1].ContentType.MimeType);
        Assert.Equal("utf-8", alternative[0].ContentType.Charset, ignoreCase: true);
        Assert.Equal("您好", ((TextPart)alternative[0]).Text);
        Assert.Equal("<p>您好</p>", ((TextPart)alternative[1]).Text);
    }

    [Fact]
    public void Build_EncodesNonAsciiSubjectAndDisplayNamePerRfc2047()
    {
        var message = new MimeBuilder(new SenderOptions { FromName = "好物商店" }).Build(Email, Chinese, Envelope);
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        var raw = System.Text.Encoding.ASCII.GetString(stream.ToArray());
        Assert.Contains("Subject: =?utf-8?", raw, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("To: =?utf-8?", raw, StringComparison.OrdinalIgnoreCase);
        var back = RoundTrip(message);
        Assert.Equal("王小明，您的专属推荐到了", back.Subject);
        Assert.Equal("王小明", back.To.Mailboxes.Single().Name);
        Assert.Equal("好物商店", back.From.Mailboxes.Single().Name);
    }

    [Fact]
    public void Build_CarriesMessageIdAndOneClickUnsubscribeHeaders()
    {
        var message = RoundTrip(new MimeBuilder(new SenderOptions()).Build(Email, Chinese, Envelope));
        Assert.Equal("cmp-0001.C1.abc@shop.example", message.MessageId);
        var listUnsubscribe = message.Headers["List-Unsubscribe"];
        Assert.Contains("<https://t.example/u/tok>", listUnsubscribe, StringComparison.Ordinal);
        Assert.Contains("<mailto:unsubscribe@shop.example?subject=unsubscribe%20tok>", listUnsubscribe, StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("tok", message.Headers["X-Mailsmith-Message"]);
        Assert.Equal("cmp-0001:recommendations:mailsmith", message.Headers["Feedback-ID"]);
    }

    public static TheoryData<string, string, string> WrittenCases => new()
    {
        // CJK: base64 parts, RFC 2047 subject and display name.
        { "zh-CN", "王小明，您的专属推荐到了", "<p>您好</p>\n<p>第二行</p>" },
        // Mostly ASCII: quoted-printable with a long line (soft breaks), "=" signs, a trailing space, a line starting
        // with a dot (MailKit dot-stuffs it) and a few accented letters.
        { "fr-FR", "Vos recommandations, Zoé", "<p style=\"margin:0\">" + string.Concat(Enumerable.Repeat("a=b ", 40)) + "</p> \n.point\ncafé crème\r\nfin" },
    };

    [Theory]
    [MemberData(nameof(WrittenCases))]
    public void Write_ParsesBackToTheMessageBuildMakes(string locale, string subject, string html)
    {
        var customer = Chinese with { Locale = locale, FirstName = locale == "zh-CN" ? "小明" : "Zoé", LastName = locale == "zh-CN" ? "王" : "Dupont \"Jr\"" };
        var email = Email with { Locale = locale, Subject = subject, Html = html, Text = html.Replace("<p>", "", StringComparison.Ordinal) };
        var builder = new MimeBuilder(new SenderOptions { FromName = "好物商店, Inc.", ReplyTo = "care@shop.example" });
        var built = RoundTrip(builder.Build(email, customer, Envelope));
        var bytes = builder.Write(email, customer, Envelope);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 998 && !line.Contains('\n', StringComparison.Ordinal), line));
        Assert.DoesNotContain("\r\n\r\n\r\n", text, StringComparison.Ordinal);
        using var stream = new MemoryStream(bytes);
        var written = MimeMessage.Load(stream);

        Assert.Equal(built.Subject, written.Subject);
        Assert.Equal(built.From.ToString(), written.From.ToString());
        Assert.Equal(built.ReplyTo.ToString(), written.ReplyTo.ToString());
        Assert.Equal(built.To.Mailboxes.Single().Name, written.To.Mailboxes.Single().Name);
        Assert.Equal(built.To.Mailboxes.Single().Address, written.To.Mailboxes.Single().Address);
        Assert.Equal(built.MessageId, written.MessageId);
        Assert.Equal(built.Date, written.Date);
        foreach (var name in new[] { "List-Unsubscribe-Post", "Feedback-ID", "X-Mailsmith-Message", "Content-Language" })
        {
            Assert.Equal(built.Headers[name], written.Headers[name]);
        }
        Assert.Equal(built.Headers["List-Unsubscribe"]!.Replace(" ", "", StringComparison.Ordinal), written.Headers["List-Unsubscribe"]!.Replace(" ", "", StringComparison.Ordinal));
        var a = Assert.IsType<MultipartAlternative>(built.Body);
        var b = Assert.IsType<MultipartAlternative>(written.Body);
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
        {
            var (x, y) = ((TextPart)a[i], (TextPart)b[i]);
            Assert.Equal(x.ContentType.MimeType, y.ContentType.MimeType);
            Assert.Equal(x.ContentTransferEncoding, y.ContentTransferEncoding);
            Assert.Equal(x.Text.ReplaceLineEndings("\n"), y.Text.ReplaceLineEndings("\n"));
        }
        // The wrapper MailKit is given writes exactly these bytes (MailKit writes with CRLF line ends).
        using var again = new MemoryStream();
        var crlf = FormatOptions.Default.Clone();
        crlf.NewLineFormat = NewLineFormat.Dos;
        PreparedMessage.FromBytes(bytes).WriteTo(crlf, again);
        Assert.Equal(bytes, again.ToArray());
    }

    [Fact]
    public void NewMessageId_IsUniqueAndUsesTheSenderDomain()
    {
        var builder = new MimeBuilder(new SenderOptions { FromAddress = "news@store.example" });
        var a = builder.NewMessageId("cmp-0001", "C 1");
        Assert.NotEqual(a, builder.NewMessageId("cmp-0001", "C 1"));
        Assert.Matches("^<cmp-0001\\.C%201\\.[0-9a-f]{32}@store\\.example>$", a);
    }

    [Fact]
    public void DisplayName_OrdersNamesByLocale()
    {
        Assert.Equal("王小明", MimeBuilder.DisplayName(Chinese));
        Assert.Equal("Ann Lee", MimeBuilder.DisplayName(Chinese with { Locale = "en-US", FirstName = "Ann", LastName = "Lee" }));
        Assert.Equal("Ann", MimeBuilder.DisplayName(Chinese with { Locale = "en-US", FirstName = "Ann", LastName = null }));
    }
}

public sealed class PickupFolderSenderTests
{
    [Fact]
    public async Task SendAsync_WritesOneEmlPerCustomerAtomically()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-pickup-").FullName;
        try
        {
            var sender = new PickupFolderSender(dir);
            var message = new MimeMessage { Subject = "hi" };
            message.From.Add(MailboxAddress.Parse("a@example.com"));
            message.Body = new TextPart("plain") { Text = "x" };
            await sender.SendAsync(message, new OutboxAddress("cmp-0001", "C1"));
            await sender.SendAsync(message, new OutboxAddress("cmp-0001", "../evil"));
            var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order().ToList();
            Assert.Equal(["cmp-0001/.._evil.eml", "cmp-0001/C1.eml"], files);
            Assert.Equal("hi", (await MimeMessage.LoadAsync(Path.Combine(dir, "cmp-0001", "C1.eml"))).Subject);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>The header fast paths of <see cref="MimeBuilder.Write"/> write exactly what MimeKit writes, wherever they apply.</summary>
public sealed class MimeBuilderHeaderTests
{
    private const int SubjectMax = 78 - 9 - 2;

    private static string MimeKitSubject(string subject)
    {
        var header = new Header(System.Text.Encoding.UTF8, HeaderId.Subject, subject);
        return System.Text.Encoding.ASCII.GetString(header.RawValue);
    }

    private static string MimeKitTo(string name, string address) =>
        new MailboxAddress(name, address).ToString(FormatOptions.Default, true);

    [Fact]
    public void IsPlainHeaderText_RandomPrintableAscii_WhenTrueMimeKitWritesItAsIs()
    {
        var random = new Random(5);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~   ";
        var plain = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var length = random.Next(1, 90);
            var subject = new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (MimeBuilder.IsPlainHeaderText(subject, SubjectMax))
            {
                plain++;
                Assert.Equal(" " + subject + Environment.NewLine, MimeKitSubject(subject).Replace("\r\n", Environment.NewLine, StringComparison.Ordinal));
            }
        }
        Assert.True(plain > 2000, $"only {plain} plain subjects");
    }

    [Theory]
    [InlineData("Your picks, Anna", true)]
    [InlineData("=?utf-8?q?x?= hello", false)]
    [InlineData("double  space", false)]
    [InlineData(" leading", false)]
    [InlineData("trailing ", false)]
    [InlineData("tab\there", false)]
    [InlineData("café", false)]
    [InlineData("", false)]
    public void IsPlainHeaderText_EdgeCases(string subject, bool plain)
    {
        Assert.Equal(plain, MimeBuilder.IsPlainHeaderText(subject, SubjectMax));
        if (plain)
        {
            Assert.Equal(" " + subject + Environment.NewLine, MimeKitSubject(subject));
        }
    }

    [Fact]
    public void IsPlainHeaderText_AtTheLengthLimit_MimeKitDoesNotFold()
    {
        var words = string.Join(" ", Enumerable.Repeat("abcdefgh", 20));
        for (var length = 1; length <= SubjectMax; length++)
        {
            var subject = words[..length].TrimEnd();
            if (MimeBuilder.IsPlainHeaderText(subject, SubjectMax))
            {
                Assert.Equal(" " + subject + Environment.NewLine, MimeKitSubject(subject));
            }
        }
        Assert.False(MimeBuilder.IsPlainHeaderText(words[..(SubjectMax + 1)], SubjectMax));
    }

    [Fact]
    public void IsPlainAddress_RandomNamesAndAddresses_WhenTrueMimeKitWritesNameAngleAddress()
    {
        var random = new Random(7);
        const string nameAlphabet = "abcXYZ019 .'\"-,()<>@éü王";
        const string addressAlphabet = "abcxyz019.-_+@!#";
        var plain = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var name = new string(Enumerable.Range(0, random.Next(1, 30)).Select(_ => nameAlphabet[random.Next(nameAlphabet.Length)]).ToArray());
            var address = new string(Enumerable.Range(0, random.Next(3, 30)).Select(_ => addressAlphabet[random.Next(addressAlphabet.Length)]).ToArray());
            if (n % 3 == 0)
            {
                name = new string(name.Where(char.IsAsciiLetterOrDigit).ToArray()) + " Lee";
                address = new string(address.Where(char.IsAsciiLetterOrDigit).ToArray()) + "x@example.com";
            }
            if (MimeBuilder.IsPlainAddress(name, address))
            {
                plain++;
                Assert.Equal(name + " <" + address + ">", MimeKitTo(name, address));
            }
        }
        Assert.True(plain > 2000, $"only {plain} plain addresses");
    }

    [Theory]
    [InlineData("Anna Berg", "anna@example.com", true)]
    [InlineData("Anna", "anna.berg+news@mail.example.co.uk", true)]
    [InlineData("Dupont \"Jr\"", "a@example.com", false)]
    [InlineData("O'Neil", "a@example.com", false)]
    [InlineData("Zoé", "a@example.com", false)]
    [InlineData("王小明", "a@example.com", false)]
    [InlineData("Anna", "a..b@example.com", false)]
    [InlineData("Anna", "ab@example.com.", false)]
    [InlineData("Anna", "no-at-sign", false)]
    public void IsPlainAddress_EdgeCases(string name, string address, bool plain)
    {
        Assert.Equal(plain, MimeBuilder.IsPlainAddress(name, address));
        if (plain)
        {
            Assert.Equal(name + " <" + address + ">", MimeKitTo(name, address));
        }
    }
}
