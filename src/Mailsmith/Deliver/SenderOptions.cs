namespace Mailsmith.Deliver;

/// <summary>Who the mail is from and the legal footer it carries. Configuration section <c>Sender</c>.</summary>
public sealed class SenderOptions
{
    /// <summary>From address. Default <c>hello@shop.example</c>.</summary>
    public string FromAddress { get; init; } = "hello@shop.example";

    /// <summary>From display name (RFC 2047-encoded when not ASCII). Default <c>Mailsmith Demo Store</c>.</summary>
    public string FromName { get; init; } = "Mailsmith Demo Store";

    /// <summary>Optional Reply-To address. Default none.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The store's name as written in copy and footers. Default <c>Mailsmith Demo Store</c>.</summary>
    public string StoreName { get; init; } = "Mailsmith Demo Store";

    /// <summary>The sender's postal address, required in every marketing email's footer (CAN-SPAM). Default a demo address.</summary>
    public string PostalAddress { get; init; } = "1 Example Street, Springfield, 00000, USA";

    /// <summary>The store's home page, linked from the header. Default <c>https://shop.example</c>.</summary>
    public string StoreUrl { get; init; } = "https://shop.example";

    /// <summary>Mailbox that receives <c>List-Unsubscribe</c> mailto requests. Default <c>unsubscribe@shop.example</c>.</summary>
    public string UnsubscribeMailbox { get; init; } = "unsubscribe@shop.example";

    /// <summary>Domain used in Message-IDs (<c>&lt;…@domain&gt;</c>). Default the From address's domain.</summary>
    public string? MessageIdDomain { get; init; }
}
