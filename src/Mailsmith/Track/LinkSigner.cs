using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Mailsmith.Track;

/// <summary>
/// Signs and verifies the payloads of tracking and unsubscribe links with HMAC-SHA256, so that nobody can
/// unsubscribe someone else or turn the click redirect into an open redirect.
/// </summary>
/// <remarks>
/// A token is <c>base64url(payload) "." base64url(mac[0..16])</c>. A 128-bit truncated MAC keeps URLs short and is
/// far beyond what can be forged online. Immutable and thread-safe.
/// </remarks>
public sealed class LinkSigner
{
    private const int MacBytes = 16;
    private readonly byte[] _key;

    public LinkSigner(byte[] key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("A link signing key needs at least 16 bytes.", nameof(key));
        }
        _key = (byte[])key.Clone();
    }

    /// <summary>Signs <paramref name="payload"/> (UTF-8) into a URL-safe token.</summary>
    public string Sign(string payload)
    {
        var data = Encoding.UTF8.GetBytes(payload);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, data, mac);
        return Base64Url.EncodeToString(data) + "." + Base64Url.EncodeToString(mac[..MacBytes]);
    }

    /// <summary>Returns the payload of a token whose signature is valid; false for anything forged, tampered or malformed.</summary>
    public bool TryVerify(string? token, out string payload)
    {
        payload = "";
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return false;
        }
        var dot = token.LastIndexOf('.');
        if (dot <= 0 || dot == token.Length - 1)
        {
            return false;
        }
        byte[] data, given;
        try
        {
            data = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            given = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, data, mac);
        if (given.Length != MacBytes || !CryptographicOperations.FixedTimeEquals(mac[..MacBytes], given))
        {
            return false;
        }
        payload = Encoding.UTF8.GetString(data);
        return true;
    }

    /// <summary>
    /// The key from <see cref="TrackOptions.SigningKey"/>, else from the key file (created with a fresh random key when missing).
    /// </summary>
    public static LinkSigner FromOptions(TrackOptions options, string defaultKeyFile)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            return new LinkSigner(KeyBytes(options.SigningKey));
        }
        var path = options.SigningKeyFile ?? defaultKeyFile;
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            // CreateNew: two processes racing to create the key must not overwrite each other's.
            try
            {
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                stream.Write(Encoding.ASCII.GetBytes(fresh));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }
        return new LinkSigner(KeyBytes(File.ReadAllText(path).Trim()));
    }

    private static byte[] KeyBytes(string text)
    {
        var buffer = new byte[text.Length];
        if (Convert.TryFromBase64String(text, buffer, out var written) && written >= 16)
        {
            return buffer[..written];
        }
        if (text.Length < 32)
        {
            throw new InvalidOperationException("Track:SigningKey must be base64 of at least 16 bytes or a string of at least 32 characters.");
        }
        return Encoding.UTF8.GetBytes(text);
    }
}
