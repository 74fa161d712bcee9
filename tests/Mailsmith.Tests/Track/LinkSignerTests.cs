using Mailsmith.Track;

namespace Mailsmith.Tests.Track;

public sealed class LinkSignerTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void TryVerify_SignedToken_ReturnsPayload()
    {
        var signer = new LinkSigner(Key);
        Assert.True(signer.TryVerify(signer.Sign("send 42 ✓"), out var payload));
        Assert.Equal("send 42 ✓", payload);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("abc.")]
    [InlineData(".abc")]
    [InlineData("!!!.???")]
    public void TryVerify_Malformed_ReturnsFalse(string token) => Assert.False(new LinkSigner(Key).TryVerify(token, out _));

    [Fact]
    public void TryVerify_TamperedPayloadOrOtherKey_ReturnsFalse()
    {
        var signer = new LinkSigner(Key);
        var token = signer.Sign("1\u001fcmp-0001\u001fC1\u001fA");
        var dot = token.LastIndexOf('.');
        var forged = new LinkSigner(Key).Sign("2\u001fcmp-0001\u001fC1\u001fA");
        // The payload of one token with the MAC of another.
        Assert.False(signer.TryVerify(forged[..forged.LastIndexOf('.')] + token[dot..], out _));
        var other = new LinkSigner(Enumerable.Repeat((byte)7, 32).ToArray());
        Assert.False(other.TryVerify(token, out _));
    }

    [Fact]
    public void FromOptions_NoKey_CreatesKeyFileOnceAndReusesIt()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-key-").FullName;
        try
        {
            var file = Path.Combine(dir, "db.key");
            var a = LinkSigner.FromOptions(new TrackOptions(), file);
            var content = File.ReadAllText(file);
            var b = LinkSigner.FromOptions(new TrackOptions(), file);
            Assert.Equal(content, File.ReadAllText(file));
            Assert.True(b.TryVerify(a.Sign("x"), out _));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void FromOptions_ShortKey_Throws() =>
        Assert.Throws<InvalidOperationException>(() => LinkSigner.FromOptions(new TrackOptions { SigningKey = "short" }, "/nonexistent/x.key"));
}

public sealed class TrackingLinksTests
{
    private static readonly TrackingLinks Links = new(new TrackOptions { BaseUrl = "https://t.example/" }, new LinkSigner(new byte[32]));
    private static readonly MessageRef Message = new(17, "cmp-0003", "C00042", "B");

    [Fact]
    public void Unsubscribe_RoundTripsTheMessage()
    {
        var url = Links.Unsubscribe(Message);
        Assert.StartsWith("https://t.example/u/", url, StringComparison.Ordinal);
        Assert.True(Links.TryReadMessage(url["https://t.example/u/".Length..], out var read));
        Assert.Equal(Message, read);
    }

    [Fact]
    public void Click_DestinationComesOnlyFromTheSignedToken()
    {
        var url = Links.Click(Message, "https://shop.example/p/P0001?utm_source=mail");
        var token = url["https://t.example/c/".Length..];
        Assert.True(Links.TryReadClick(token, out var read, out var destination));
        Assert.Equal(Message, read);
        Assert.Equal("https://shop.example/p/P0001?utm_source=mail", destination);
        // A message token is not a click token and vice versa.
        Assert.False(Links.TryReadClick(Links.MessageToken(Message), out _, out _));
        Assert.False(Links.TryReadMessage(token, out _));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative")]
    [InlineData("ftp://x.example/")]
    public void Click_NonHttpDestination_Throws(string destination) =>
        Assert.Throws<ArgumentException>(() => Links.Click(Message, destination));
}
