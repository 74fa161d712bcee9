using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Track;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Mailsmith.Server;

/// <summary>The API keys of <see cref="ServerOptions.ApiKeys"/>, compared in constant time.</summary>
internal sealed class ApiKeys(IReadOnlyList<string> keys)
{
    // Hashes of equal length, so the comparison time depends on neither the key's length nor where it differs.
    private readonly byte[][] _hashes = keys.Where(k => !string.IsNullOrEmpty(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    /// <summary>Whether the request carries a configured key (<c>Bearer</c>, or the password of <c>Basic</c>).</summary>
    public bool Allows(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        string? presented = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header["Bearer ".Length..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                presented = decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
            catch (FormatException)
            {
                return false;
            }
        }
        if (string.IsNullOrEmpty(presented) || _hashes.Length == 0)
        {
            return false;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var ok = false;
        foreach (var h in _hashes)
        {
            ok |= CryptographicOperations.FixedTimeEquals(h, hash);
        }
        return ok;
    }
}

/// <summary>
/// <c>/api/…</c>, behind <c>Authorization: Bearer &lt;key&gt;</c>: store data in real time (the import path and its
/// error format), provider bounce and complaint webhooks, campaign reports, server statistics. <c>/healthz</c> is open.
/// Errors are JSON: <c>{"error": "...", "errors": [{"line", "column", "reason", "message"}]}</c>.
/// </summary>
internal static class ApiEndpoints
{
    public static void MapApiEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok"));
        var api = app.MapGroup("/api");
        api.AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetService(typeof(ApiKeys)) is ApiKeys keys && keys.Allows(context.HttpContext.Request)
                ? await next(context)
                : Error(StatusCodes.Status401Unauthorized, "missing or wrong API key (Authorization: Bearer <key>; keys are Server:ApiKeys)"));
        api.MapPost("/webhooks/dsn", DsnWebhookAsync);
        api.MapPost("/webhooks/{provider}", WebhookAsync);
        api.MapGet("/campaigns/{id}/report", Report);
        api.MapGet("/stats", Stats);
        api.MapPost("/{kind}", ImportAsync);
    }

    private static async Task<IResult> ImportAsync(string kind, HttpContext http, RequestImport import, MailsmithStore store, MailsmithSettings settings)
    {
        if (!RequestImport.TryParseKind(kind, out var importKind))
        {
            return Error(StatusCodes.Status404NotFound, $"unknown data kind '{kind}' (known: customers, products, orders, order_lines, events, reviews)");
        }
        var (body, tooLarge) = await ReadBodyAsync(http, settings.Server.MaxRequestBodyBytes);
        if (tooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"request body larger than {settings.Server.MaxRequestBodyBytes} bytes (Server:MaxRequestBodyBytes)");
        }
        RequestImportResult result;
        try
        {
            result = await import.ImportAsync(importKind, body, http.RequestAborted);
        }
        catch (FormatException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        if (!result.Stored)
        {
            var errors = new JsonArray();
            foreach (var e in result.Errors)
            {
                errors.Add(new JsonObject { ["line"] = e.Line, ["column"] = e.Column, ["reason"] = e.Reason, ["message"] = e.ToString() });
            }
            return TypedResults.Json(new JsonObject
            {
                ["error"] = $"{result.ErrorCount} problem(s) in the request; nothing was stored",
                ["kind"] = kind,
                ["received"] = result.Received,
                ["error_count"] = result.ErrorCount,
                ["errors"] = errors,
            }, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        // A new order may be the conversion of a click already recorded.
        var conversions = importKind is ImportKind.Orders or ImportKind.OrderLines
            ? store.AttributeOrders(TimeSpan.FromDays(settings.Track.AttributionWindowDays), settings.Track.AttributeOpens)
            : 0;
        return TypedResults.Json(new JsonObject { ["kind"] = kind, ["received"] = result.Received, ["stored"] = result.Loaded, ["conversions"] = conversions });
    }

    private static async Task<IResult> WebhookAsync(string provider, HttpContext http, MailsmithStore store, MailsmithSettings settings)
    {
        if (!DeliveryWebhooks.Providers.Contains(provider, StringComparer.Ordinal))
        {
            return Error(StatusCodes.Status404NotFound, $"unknown webhook provider '{provider}' (known: {string.Join(", ", DeliveryWebhooks.Providers)})");
        }
        var (body, tooLarge) = await ReadBodyAsync(http, settings.Server.MaxRequestBodyBytes);
        if (tooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"request body larger than {settings.Server.MaxRequestBodyBytes} bytes (Server:MaxRequestBodyBytes)");
        }
        try
        {
            var (feedback, ignored, subscribe) = DeliveryWebhooks.Parse(provider, body.Span, DateTimeOffset.UtcNow);
            var result = DeliveryWebhooks.Apply(store, feedback, ignored, subscribe);
            return TypedResults.Json(new JsonObject
            {
                ["received"] = result.Received,
                ["suppressed"] = result.Suppressed,
                ["matched"] = result.Matched,
                ["ignored"] = result.Ignored,
                ["subscribe_url"] = result.SubscribeUrl,
            });
        }
        catch (FormatException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
    }

    // One returned message (a DSN or an ARF report) as message/rfc822: the path of `mailsmith bounces import --mbox`.
    private static async Task<IResult> DsnWebhookAsync(HttpContext http, MailsmithStore store, MailsmithSettings settings, TrackingLinks links, TimeProvider time)
    {
        if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "message/rfc822", StringComparison.OrdinalIgnoreCase))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "expected Content-Type: message/rfc822 (one DSN or ARF report message)");
        }
        var (body, tooLarge) = await ReadBodyAsync(http, settings.Server.MaxRequestBodyBytes);
        if (tooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"request body larger than {settings.Server.MaxRequestBodyBytes} bytes (Server:MaxRequestBodyBytes)");
        }
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            var message = await MimeKit.MimeMessage.LoadAsync(stream, http.RequestAborted);
            var result = new BounceImporter(store, links, time).ImportMessage(message, "webhook");
            if (result.NotReports > 0)
            {
                return Error(StatusCodes.Status422UnprocessableEntity, "request body: not a delivery status notification (RFC 3464) or feedback report (RFC 5965): expected multipart/report");
            }
            return TypedResults.Json(new JsonObject
            {
                ["hard_bounces"] = result.New.GetValueOrDefault(DeliveryReportKind.HardBounce),
                ["soft_bounces"] = result.New.GetValueOrDefault(DeliveryReportKind.SoftBounce),
                ["complaints"] = result.New.GetValueOrDefault(DeliveryReportKind.Complaint),
                ["matched"] = result.Matched.Values.Sum(),
                ["unmatched"] = result.New.Values.Sum() - result.Matched.Values.Sum(),
                ["already_imported"] = result.AlreadyImported,
                ["other"] = result.Other,
                ["suppressed"] = result.Suppressed,
            });
        }
        catch (FormatException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
    }

    private static Results<ContentHttpResult, JsonHttpResult<JsonObject>> Report(string id, MailsmithStore store, MailsmithSettings settings)
    {
        try
        {
            var report = new CampaignReporter(store, settings.Track).Build(id);
            return TypedResults.Content(report.ToJson().ToJsonString(), "application/json");
        }
        catch (KeyNotFoundException e)
        {
            return TypedResults.Json(new JsonObject { ["error"] = e.Message }, statusCode: StatusCodes.Status404NotFound);
        }
    }

    private static JsonHttpResult<JsonObject> Stats(TrackingRecorder recorder, TrackingStats stats) => TypedResults.Json(new JsonObject
    {
        ["opens_answered"] = stats.Opens,
        ["clicks_answered"] = stats.Clicks,
        ["rejected_tokens"] = stats.Rejected,
        ["events_recorded"] = recorder.Recorded,
        ["events_spooled"] = recorder.Spooled,
        ["events_lost"] = recorder.Lost,
        ["commits"] = recorder.Batches,
        ["spool_files_pending"] = recorder.PendingSpoolFiles,
    });

    private static async Task<(ReadOnlyMemory<byte> Body, bool TooLarge)> ReadBodyAsync(HttpContext http, long max)
    {
        if (http.Request.ContentLength > max)
        {
            // Not read, so not kept: close the connection after the answer rather than drain an oversized body.
            http.Response.Headers.Connection = "close";
            return (default, true);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + n > max)
                {
                    http.Response.Headers.Connection = "close";
                    return (default, true);
                }
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            http.Response.Headers.Connection = "close";
            return (default, true);
        }
        return (buffer.ToArray(), false);
    }

    private static JsonHttpResult<JsonObject> Error(int status, string message) =>
        TypedResults.Json(new JsonObject { ["error"] = message }, statusCode: status);
}
