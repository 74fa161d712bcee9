using System.Globalization;
using System.Text.Json;
using Mailsmith.Storage;

namespace Mailsmith.Track;

/// <summary>A bounce or complaint reported by a mail provider after sending.</summary>
/// <param name="Type"><c>bounce</c> or <c>complaint</c>.</param>
/// <param name="Permanent">A hard bounce or a complaint; a soft (transient) bounce suppresses nothing.</param>
public sealed record DeliveryFeedback(string Email, string Type, string? MessageId, string Reason, DateTimeOffset At, bool Permanent);

/// <summary>What applying a webhook's feedback did.</summary>
/// <param name="Suppressed">Addresses put on the suppression list (hard bounces and complaints).</param>
/// <param name="Matched">Of those, how many were matched to a message of ours (an engagement event was added).</param>
/// <param name="Ignored">Soft bounces and events of other kinds.</param>
/// <param name="SubscribeUrl">An Amazon SNS subscription confirmation: the URL an operator must open once to confirm it.</param>
public sealed record WebhookResult(int Received, int Suppressed, int Matched, int Ignored, string? SubscribeUrl);

/// <summary>
/// Reads the bounce and complaint webhooks of mail providers — Mailsmith's own format, SendGrid's event webhook and
/// Amazon SES through SNS — and applies them: every hard bounce and complaint suppresses the address (through
/// <see cref="MailsmithStore.RecordDeliveryFeedback"/>, the one way an address gets suppressed after sending) and is
/// recorded on the message it concerns: the one with its Message-ID, else the latest message sent to the address.
/// </summary>
public static class DeliveryWebhooks
{
    /// <summary>The providers understood, as they appear in <c>/api/webhooks/{provider}</c>.</summary>
    public static readonly IReadOnlyList<string> Providers = ["mailsmith", "sendgrid", "ses"];

    /// <summary>Parses a webhook body.</summary>
    /// <exception cref="FormatException">The body is not JSON of the provider's format; the message says where.</exception>
    /// <exception cref="ArgumentException">Unknown provider.</exception>
    public static (List<DeliveryFeedback> Feedback, int Ignored, string? SubscribeUrl) Parse(string provider, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new FormatException($"request body: not JSON: {e.Message}", e);
        }
        using (document)
        {
            var feedback = new List<DeliveryFeedback>();
            var ignored = 0;
            string? subscribe = null;
            switch (provider)
            {
                case "mailsmith":
                    foreach (var (item, index) in Items(document.RootElement))
                    {
                        var type = Required(item, "type", index);
                        if (type is not ("bounce" or "complaint"))
                        {
                            throw new FormatException($"item {index}: type: expected bounce or complaint, got '{type}'");
                        }
                        var permanent = !item.TryGetProperty("permanent", out var p) || p.ValueKind != JsonValueKind.False;
                        feedback.Add(new DeliveryFeedback(Email(item, "email", index), type, Optional(item, "message_id"),
                            Optional(item, "reason") ?? type, Time(item, "occurred_at", index) ?? now, permanent || type == "complaint"));
                    }
                    break;
                case "sendgrid":
                    foreach (var (item, index) in Items(document.RootElement))
                    {
                        var kind = Optional(item, "event");
                        var at = item.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : now;
                        var messageId = Optional(item, "smtp-id");
                        if (kind == "spamreport")
                        {
                            feedback.Add(new DeliveryFeedback(Email(item, "email", index), "complaint", messageId, "spamreport", at, true));
                        }
                        else if (kind == "bounce")
                        {
                            // SendGrid reports a refusal it considers temporary ("blocked") as a bounce of type blocked.
                            var hard = Optional(item, "type") is null or "bounce";
                            feedback.Add(new DeliveryFeedback(Email(item, "email", index), "bounce", messageId, Optional(item, "reason") ?? "bounce", at, hard));
                        }
                        else
                        {
                            ignored++;
                        }
                    }
                    break;
                case "ses":
                    var root = document.RootElement;
                    if (Optional(root, "Type") == "SubscriptionConfirmation")
                    {
                        subscribe = Optional(root, "SubscribeURL");
                        break;
                    }
                    var message = root;
                    if (Optional(root, "Type") == "Notification")
                    {
                        var inner = Optional(root, "Message") ?? throw new FormatException("SNS notification without Message");
                        using var innerDoc = ParseInner(inner);
                        ReadSes(innerDoc.RootElement.Clone(), now, feedback, ref ignored);
                        break;
                    }
                    ReadSes(message, now, feedback, ref ignored);
                    break;
                default:
                    throw new ArgumentException($"unknown webhook provider '{provider}' (known: {string.Join(", ", Providers)})", nameof(provider));
            }
            return (feedback, ignored, subscribe);
        }
    }

    /// <summary>Applies parsed feedback to the store.</summary>
    public static WebhookResult Apply(MailsmithStore store, IReadOnlyList<DeliveryFeedback> feedback, int ignored, string? subscribeUrl)
    {
        int suppressed = 0, matched = 0;
        foreach (var f in feedback)
        {
            if (!f.Permanent)
            {
                ignored++;
                continue;
            }
            var send = (f.MessageId is { Length: > 0 } id ? store.GetSendByMessageId(id) : null) ?? store.LatestSendToEmail(f.Email);
            // A Message-ID of ours for a different address is not trusted to pick the message.
            if (send is not null && store.GetCustomer(send.CustomerId) is { } c && !c.Email.Equals(f.Email, StringComparison.OrdinalIgnoreCase))
            {
                send = store.LatestSendToEmail(f.Email);
            }
            matched += store.RecordDeliveryFeedback(f.Email, f.Type, send?.SendId, f.Reason, f.At) ? 1 : 0;
            suppressed++;
        }
        return new WebhookResult(feedback.Count, suppressed, matched, ignored, subscribeUrl);
    }

    private static void ReadSes(JsonElement message, DateTimeOffset now, List<DeliveryFeedback> feedback, ref int ignored)
    {
        var type = Optional(message, "notificationType") ?? Optional(message, "eventType");
        string? messageId = null;
        if (message.TryGetProperty("mail", out var mail) && mail.ValueKind == JsonValueKind.Object)
        {
            if (mail.TryGetProperty("commonHeaders", out var common) && common.ValueKind == JsonValueKind.Object)
            {
                messageId = Optional(common, "messageId");
            }
        }
        if (type == "Bounce" && message.TryGetProperty("bounce", out var bounce))
        {
            var hard = Optional(bounce, "bounceType") == "Permanent";
            var at = Time(bounce, "timestamp", 1) ?? now;
            foreach (var r in Array(bounce, "bouncedRecipients"))
            {
                feedback.Add(new DeliveryFeedback(Email(r, "emailAddress", 1), "bounce", messageId,
                    Optional(r, "diagnosticCode") ?? Optional(bounce, "bounceSubType") ?? "bounce", at, hard));
            }
        }
        else if (type == "Complaint" && message.TryGetProperty("complaint", out var complaint))
        {
            var at = Time(complaint, "timestamp", 1) ?? now;
            foreach (var r in Array(complaint, "complainedRecipients"))
            {
                feedback.Add(new DeliveryFeedback(Email(r, "emailAddress", 1), "complaint", messageId,
                    Optional(complaint, "complaintFeedbackType") ?? "complaint", at, true));
            }
        }
        else
        {
            ignored++;
        }
    }

    private static JsonDocument ParseInner(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"SNS Message: not JSON: {e.Message}", e);
        }
    }

    private static IEnumerable<(JsonElement Item, int Index)> Items(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            yield return (root, 1);
            yield break;
        }
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("request body: expected a JSON object or array");
        }
        var i = 0;
        foreach (var item in root.EnumerateArray())
        {
            i++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"item {i}: expected a JSON object");
            }
            yield return (item, i);
        }
    }

    private static List<JsonElement> Array(JsonElement o, string name) =>
        o.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray()] : [];

    private static string? Optional(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Required(JsonElement o, string name, int index) =>
        Optional(o, name) is { Length: > 0 } s ? s : throw new FormatException($"item {index}: {name}: missing required value");

    private static string Email(JsonElement o, string name, int index)
    {
        var raw = Required(o, name, index).Trim();
        var at = raw.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == raw.Length - 1 || raw.Contains(' ', StringComparison.Ordinal))
        {
            throw new FormatException($"item {index}: {name}: invalid email address '{raw}'");
        }
        return raw.ToLowerInvariant();
    }

    private static DateTimeOffset? Time(JsonElement o, string name, int index)
    {
        if (Optional(o, name) is not { } text)
        {
            return null;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUniversalTime()
            : throw new FormatException($"item {index}: {name}: unparseable timestamp '{text}' (expected ISO 8601)");
    }
}
