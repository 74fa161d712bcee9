using System.Security.Cryptography;
using System.Text;

namespace Mailsmith.Compose.Llm;

/// <summary>
/// The model's answers on disk, one file per SHA-256 of (provider, model, response format, system prompt, user prompt):
/// a re-run, or a run restarted after a crash, asks the model nothing it has already answered.
/// </summary>
/// <remarks>
/// Only answers that passed the structural checks are stored, so a bad answer is asked again next run rather than
/// replayed forever. Writes go to a temporary file renamed into place, so a crash never leaves a half-written entry;
/// a file that cannot be read is treated as absent. Thread-safe.
/// </remarks>
public sealed class LlmResponseCache
{
    private readonly string _directory;

    public LlmResponseCache(string directory)
    {
        _directory = Path.GetFullPath(directory);
    }

    public string Directory => _directory;

    /// <summary>The cache key of one request: hex SHA-256 over every input that changes the answer.</summary>
    public static string KeyOf(string provider, string model, string responseFormat, string systemPrompt, string userPrompt)
    {
        var text = string.Join('\u001f', "mailsmith-llm-v1", provider, model, responseFormat, systemPrompt, userPrompt);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The stored answer for <paramref name="key"/>, or null.</summary>
    public async Task<string?> TryGetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>, atomically.</summary>
    public async Task SetAsync(string key, string content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllTextAsync(temp, content, new UTF8Encoding(false), cancellationToken);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Number of stored answers.</summary>
    public int Count => System.IO.Directory.Exists(_directory)
        ? System.IO.Directory.EnumerateFiles(_directory, "*.json", SearchOption.AllDirectories).Count()
        : 0;

    // Two-character fan-out keeps folders small at large numbers of segments.
    private string PathOf(string key) => Path.Combine(_directory, key[..2], key + ".json");
}
