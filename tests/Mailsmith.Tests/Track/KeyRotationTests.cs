using Mailsmith.Track;

namespace Mailsmith.Tests.Track;

public sealed class KeyRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void RotateKeyFile_NewKeySigns_OldTokensStillVerify_DroppedKeyNoLonger()
    {
        var path = Path.Combine(_dir, "m.db.key");
        var options = new TrackOptions { SigningKeyFile = path };
        var first = LinkSigner.FromOptions(options, path);
        var oldToken = first.Sign("1\u001fcmp-0001\u001fc1\u001fA");

        Assert.Equal(2, LinkSigner.RotateKeyFile(path, keep: 2));
        var second = LinkSigner.FromOptions(options, path);
        Assert.Equal(2, second.KeyCount);
        Assert.True(second.TryVerify(oldToken, out _));
        var newToken = second.Sign("1\u001fcmp-0001\u001fc1\u001fA");
        Assert.NotEqual(oldToken, newToken);
        // Tokens signed before the rotation keep working with the old signer too? No: the new key is unknown to it.
        Assert.False(first.TryVerify(newToken, out _));

        LinkSigner.RotateKeyFile(path, keep: 2);
        var third = LinkSigner.FromOptions(options, path);
        Assert.True(third.TryVerify(newToken, out _));
        Assert.False(third.TryVerify(oldToken, out _));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void FromOptions_PreviousSigningKeys_VerifyButNeverSign()
    {
        var oldKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var newKey = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var before = LinkSigner.FromOptions(new TrackOptions { SigningKey = oldKey }, Path.Combine(_dir, "unused.key"));
        var token = before.Sign("payload");
        var after = LinkSigner.FromOptions(new TrackOptions { SigningKey = newKey, PreviousSigningKeys = [oldKey] }, Path.Combine(_dir, "unused.key"));
        Assert.True(after.TryVerify(token, out var payload));
        Assert.Equal("payload", payload);
        Assert.False(before.TryVerify(after.Sign("payload"), out _));
        Assert.False(File.Exists(Path.Combine(_dir, "unused.key")));
    }

    [Fact]
    public void Fingerprint_IsStableKeyedAndNotTheAddress()
    {
        var a = new LinkSigner(new byte[32]);
        var b = new LinkSigner(Enumerable.Repeat((byte)7, 32).ToArray());
        Assert.Equal(a.Fingerprint("203.0.113.9"), a.Fingerprint("203.0.113.9"));
        Assert.NotEqual(a.Fingerprint("203.0.113.9"), a.Fingerprint("203.0.113.10"));
        Assert.NotEqual(a.Fingerprint("203.0.113.9"), b.Fingerprint("203.0.113.9"));
        Assert.DoesNotContain("203", a.Fingerprint("203.0.113.9"), StringComparison.Ordinal);
    }
}
