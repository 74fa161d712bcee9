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
/// far beyond what can be forged online. Keys rotate: the first key signs, every key verifies, so links in mail sent
/// before a rotation keep working while the retired keys are kept. Immutable and thread-safe.
/// </remarks>
public sealed class LinkSigner
{
    private const int MacBytes = 16;
    private readonly byte[] _key;
    private readonly byte[][] _keys;
    // The HMAC contexts of the signer this thread used last, one per key, reset after each use: HMACSHA256.HashData
    // sets a context up and tears it down on every call (key schedule, OpenSSL allocations), which showed in the
    // tracking server's profile. A process has one signer, so this is one set of contexts per thread.
    [ThreadStatic]
    private static LinkSigner? t_owner;
    [ThreadStatic]
    private static IncrementalHash[]? t_macs;

    public LinkSigner(byte[] key)
        : this([key])
    {
    }

    /// <summary>A signer that signs with <paramref name="keys"/>[0] and accepts a token signed by any of them.</summary>
    /// <exception cref="ArgumentException">No key, or a key shorter than 16 bytes.</exception>
    public LinkSigner(IReadOnlyList<byte[]> keys)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException("A link signer needs at least one key.", nameof(keys));
        }
        if (keys.Any(k => k.Length < 16))
        {
            throw new ArgumentException("A link signing key needs at least 16 bytes.", nameof(keys));
        }
        _keys = keys.Select(k => (byte[])k.Clone()).ToArray();
        _key = _keys[0];
    }

    /// <summary>How many keys verify (the signing key and the retired ones still accepted).</summary>
    public int KeyCount => _keys.Length;

    /// <summary>
    /// A keyed, truncated hash of <paramref name="value"/> (for example a client IP address): equal inputs give equal
    /// fingerprints, and without the key the input cannot be recovered by trying every address.
    /// </summary>
    public string Fingerprint(string value)
    {
        Span<byte> mac = stackalloc byte[32];
        Mac(_keys.Length - 1, Encoding.UTF8.GetBytes("client:" + value), mac);
        return Convert.ToHexStringLower(mac[..8]);
    }

    /// <summary>Signs <paramref name="payload"/> (UTF-8) into a URL-safe token.</summary>
    public string Sign(string payload)
    {
        var data = Encoding.UTF8.GetBytes(payload);
        Span<byte> mac = stackalloc byte[32];
        Mac(0, data, mac);
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
        if (given.Length != MacBytes)
        {
            return false;
        }
        Span<byte> mac = stackalloc byte[32];
        var valid = false;
        // Every key is tried, with no early exit, so the time taken does not tell which key (if any) matched.
        for (var k = 0; k < _keys.Length; k++)
        {
            Mac(k, data, mac);
            valid |= CryptographicOperations.FixedTimeEquals(mac[..MacBytes], given);
        }
        if (!valid)
        {
            return false;
        }
        payload = Encoding.UTF8.GetString(data);
        return true;
    }

    private void Mac(int key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        if (!ReferenceEquals(t_owner, this) || t_macs is null)
        {
            foreach (var old in t_macs ?? [])
            {
                old.Dispose();
            }
            t_macs = [.. _keys.Select(k => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, k))];
            t_owner = this;
        }
        var hmac = t_macs[key];
        hmac.AppendData(data);
        hmac.GetHashAndReset(mac);
    }

    /// <summary>
    /// The signer of <paramref name="options"/>: <see cref="TrackOptions.SigningKey"/> signs when set, else the first key
    /// of the key file (created with a fresh random key when missing); the key file's other lines and
    /// <see cref="TrackOptions.PreviousSigningKeys"/> still verify.
    /// </summary>
    /// <exception cref="InvalidOperationException">A key is too short or not readable as a key.</exception>
    public static LinkSigner FromOptions(TrackOptions options, string defaultKeyFile)
    {
        var keys = new List<byte[]>();
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            keys.Add(KeyBytes(options.SigningKey));
        }
        else
        {
            var path = options.SigningKeyFile ?? defaultKeyFile;
            if (!File.Exists(path))
            {
                CreateKeyFile(path, NewKeyText());
            }
            keys.AddRange(ReadKeyFile(path).Select(KeyBytes));
            if (keys.Count == 0)
            {
                throw new InvalidOperationException($"{path}: the link signing key file holds no key.");
            }
        }
        keys.AddRange(options.PreviousSigningKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(KeyBytes));
        return new LinkSigner(keys);
    }

    /// <summary>
    /// Rotates the key file: a fresh random key goes first (it signs from now on) and the earlier keys stay below it
    /// (they keep verifying links already sent). At most <paramref name="keep"/> keys are kept in all.
    /// </summary>
    /// <returns>How many keys the file holds afterwards.</returns>
    public static int RotateKeyFile(string path, int keep = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 2);
        var existing = File.Exists(path) ? ReadKeyFile(path) : [];
        var lines = new[] { NewKeyText() }.Concat(existing).Take(keep).ToList();
        // Write beside and rename: a crash mid-write must not leave a file without the keys that verify sent mail.
        var temp = path + ".tmp";
        File.Delete(temp);
        CreateKeyFile(temp, string.Join('\n', lines) + "\n");
        File.Move(temp, path, overwrite: true);
        return lines.Count;
    }

    private static string NewKeyText() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static List<string> ReadKeyFile(string path) =>
        File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    private static void CreateKeyFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // CreateNew: two processes racing to create the key must not overwrite each other's.
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            stream.Write(Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; use theirs.
        }
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
