using System.Collections.Concurrent;
using MimeKit;

namespace Mailsmith.Deliver;

/// <summary>
/// Delivers into a folder instead of over SMTP: <c>&lt;root&gt;/&lt;campaign&gt;/&lt;customer&gt;.eml</c>.
/// Each file is written to a temporary name and renamed, so a crash never leaves half a message.
/// </summary>
public sealed class PickupFolderSender(string root) : IMailSender
{
    private readonly ConcurrentDictionary<string, string> _folders = new(StringComparer.Ordinal);

    /// <summary>The folder messages are written to.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The path a message for <paramref name="address"/> is written to.</summary>
    public string PathFor(OutboxAddress address) =>
        Path.Combine(Folder(address.CampaignId), SafeFileName(address.CustomerId) + ".eml");

    public Task SendAsync(MimeMessage message, OutboxAddress address, CancellationToken cancellationToken = default)
    {
        var path = PathFor(address);
        var temp = path + ".tmp";
        // Synchronous writes: FileOptions.Asynchronous on Linux only moves a ~20 KB local write to the thread pool;
        // the runner already writes on several threads.
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 32 * 1024))
        {
            message.WriteTo(FormatOptions.Default, stream, cancellationToken);
        }
        File.Move(temp, path, overwrite: true);
        return Task.CompletedTask;
    }

    private string Folder(string campaignId) => _folders.GetOrAdd(campaignId, id =>
    {
        var folder = Path.Combine(Root, SafeFileName(id));
        Directory.CreateDirectory(folder);
        return folder;
    });

    // Ids come from store data: keep them from escaping the folder or forming odd names.
    private static string SafeFileName(string id)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var name = new string(id.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
        return name is "" or "." or ".." ? "_" : name;
    }
}
