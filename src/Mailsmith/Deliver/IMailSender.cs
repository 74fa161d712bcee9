using MimeKit;

namespace Mailsmith.Deliver;

/// <summary>Where finished messages go: a pickup folder today, SMTP later.</summary>
public interface IMailSender
{
    /// <summary>Delivers one message. Throws on failure; the outbox records the state.</summary>
    Task SendAsync(MimeMessage message, OutboxAddress address, CancellationToken cancellationToken = default);

    /// <summary>Delivers one message already written to its bytes (<see cref="MimeBuilder.Write"/>); by default parsed and sent as a <see cref="MimeMessage"/>.</summary>
    async Task SendAsync(byte[] message, OutboxAddress address, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(message, writable: false);
        await SendAsync(await MimeMessage.LoadAsync(stream, cancellationToken), address, cancellationToken);
    }
}

/// <summary>Identifies a message in the outbox: the campaign folder and the file name.</summary>
public sealed record OutboxAddress(string CampaignId, string CustomerId)
{
    /// <summary>The SMTP envelope's sender (MAIL FROM); null: the message's Sender or From. Default null.</summary>
    public string? EnvelopeFrom { get; init; }

    /// <summary>The SMTP envelope's recipient (RCPT TO); null: the message's To, Cc and Bcc. Needed for a <see cref="PreparedMessage"/>. Default null.</summary>
    public string? EnvelopeTo { get; init; }
}
