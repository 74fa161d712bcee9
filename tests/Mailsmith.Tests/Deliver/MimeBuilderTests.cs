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
