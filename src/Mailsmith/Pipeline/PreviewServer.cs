using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Mailsmith.Pipeline;

/// <summary>
/// <c>mailsmith preview --serve</c>: the gallery over HTTP on 127.0.0.1 only. <c>/</c> lists the store's campaigns,
/// <c>/c/{campaign}</c> is the stratified gallery of one (<c>?samples=N</c>), <c>/c/{campaign}/{customer}</c> one
/// recipient's page. Pages are composed per request (requests are served one at a time: this is a review tool).
/// </summary>
public sealed class PreviewServer(EmailPreview preview, Func<IReadOnlyList<Storage.Campaign>> campaigns, int defaultSamples) : IAsyncDisposable
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly HttpListener _listener = new();
    private Task? _loop;

    /// <summary>The address served, e.g. <c>http://127.0.0.1:5090/</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/>.</summary>
    /// <exception cref="HttpListenerException">The port is taken.</exception>
    public void Start(int port, CancellationToken cancellationToken)
    {
        Address = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Address);
        _listener.Start();
        _loop = Task.Run(() => LoopAsync(cancellationToken), CancellationToken.None);
    }

    /// <summary>Completes when the listener stops (cancellation or dispose).</summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _listener.Close();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        await using var stop = cancellationToken.Register(() => { if (_listener.IsListening) { _listener.Stop(); } });
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                var (status, body) = await AnswerAsync(context.Request, cancellationToken).ConfigureAwait(false);
                await WriteAsync(context.Response, status, body).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await WriteAsync(context.Response, 500, "<!doctype html><p>" + Html.Encode(e.Message) + "</p>").ConfigureAwait(false);
            }
        }
    }

    private async Task<(int, string)> AnswerAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        var parts = (request.Url?.AbsolutePath ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (parts.Length == 0)
        {
            var html = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Mailsmith preview</title></head><body><h1>Mailsmith preview</h1><ul>");
            foreach (var c in campaigns())
            {
                html.Append("<li><a href=\"/c/").Append(Uri.EscapeDataString(c.CampaignId)).Append("\">")
                    .Append(Html.Encode($"{c.Name} ({c.Type}, {c.CampaignId})")).Append("</a></li>");
            }
            return (200, html.Append("</ul></body></html>").ToString());
        }
        if (parts[0] != "c" || parts.Length is < 2 or > 3)
        {
            return (404, "<!doctype html><p>not found</p>");
        }
        var campaign = preview.FindCampaign(parts[1]);
        if (campaign is null)
        {
            return (404, "<!doctype html><p>no campaign " + Html.Encode(parts[1]) + "</p>");
        }
        if (parts.Length == 3)
        {
            if (!preview.HasCustomer(parts[2]))
            {
                return (404, "<!doctype html><p>no customer " + Html.Encode(parts[2]) + "</p>");
            }
            return (200, EmailPreview.Page(await preview.ComposeAsync(campaign, parts[2], cancellationToken).ConfigureAwait(false)));
        }
        var samples = int.TryParse(request.QueryString["samples"], out var n) && n is > 0 and <= 500 ? n : defaultSamples;
        var items = new List<PreviewItem>();
        foreach (var id in preview.Sample(samples))
        {
            items.Add(await preview.ComposeAsync(campaign, id, cancellationToken).ConfigureAwait(false));
        }
        return (200, EmailPreview.Gallery($"{campaign.Name} ({campaign.Type})", items));
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        response.Close();
    }
}
