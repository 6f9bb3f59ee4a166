using AsyncTasks.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace AsyncTasks.Http;

/// <summary>
/// Builds the handler chain every request of the library goes through, outermost first: for a provider's API the
/// answer handler (buffers, limits and masks every answer), our transient retry (Polly.Core on the client's
/// TimeProvider), Kiota's redirect handler, and innermost our key handler, over a transport whose own redirect
/// following is off.
/// </summary>
internal static class HttpPipeline
{
    public const int MaxRedirects = 5;

    /// <summary>The library's product token, sent in every request's User-Agent (e.g. <c>AsyncTasks/1.2.0</c>).</summary>
    public static System.Net.Http.Headers.ProductInfoHeaderValue Product { get; } =
        new("AsyncTasks", typeof(HttpPipeline).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>The delegating handlers, outermost first, not yet linked; a download (<paramref name="provider"/> null) has no answer handler.</summary>
    public static DelegatingHandler[] CreateHandlers(
        Provider? provider,
        IReadOnlyList<KeyBinding> keys,
        AsyncTasksOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        var handlers = new List<DelegatingHandler>();
        if (provider is { } api)
        {
            handlers.Add(new ApiAnswerHandler(api, new KeyMask(keys.Select(k => k.ApiKey)), options.Answers.MaxBytes, options.Answers.MaxDepth));
        }

        handlers.Add(new TransientRetryHandler(provider, options.Retry, timeProvider, logger));
        handlers.Add(new RedirectHandler(new RedirectHandlerOption { MaxRedirect = MaxRedirects, AllowRedirectOnSchemeChange = false }));
        handlers.Add(new ApiKeyHandler(keys, provider));
        return [.. handlers];
    }

    /// <summary>How many handlers <see cref="CreateHandlers"/> returns (IHttpClientFactory adds them one by one).</summary>
    public static int HandlerCount(Provider? provider) => provider is null ? 3 : 4;

    /// <summary>
    /// Refuses a caller's transport that follows redirects itself: it would carry the key header to whatever origin a
    /// redirect names, before the key handler could strip it. Handlers it cannot see into are accepted as documented.
    /// </summary>
    /// <exception cref="ArgumentException">The transport (or the innermost handler it wraps) follows redirects.</exception>
    public static void ThrowIfFollowsRedirects(HttpMessageHandler transport)
    {
        var innermost = transport;
        while (innermost is DelegatingHandler { InnerHandler: { } inner })
        {
            innermost = inner;
        }

        if (innermost is SocketsHttpHandler { AllowAutoRedirect: true } or HttpClientHandler { AllowAutoRedirect: true })
        {
            throw new ArgumentException(
                "The transport follows redirects itself, which would send the API key to any origin a redirect names. " +
                "Set AllowAutoRedirect = false on it: the client follows redirects itself and strips the key on the way.",
                nameof(transport));
        }
    }

    /// <summary>
    /// The transport: connection pooling with a bounded lifetime, no automatic redirects, no cookies; compressed
    /// responses asked for only when <paramref name="acceptCompression"/> (see <see cref="AsyncTasksOptions.AcceptCompressedResponses"/>).
    /// </summary>
    public static HttpMessageHandler CreateTransport(bool acceptCompression) => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = acceptCompression ? System.Net.DecompressionMethods.All : System.Net.DecompressionMethods.None,
    };

    /// <summary>
    /// Whether <paramref name="exception"/> is Kiota's redirect handler refusing a redirect: after
    /// <see cref="MaxRedirects"/> redirects, one without a location, or one to another scheme (it throws instead of
    /// returning the redirect).
    /// </summary>
    public static bool IsTooManyRedirects(InvalidOperationException exception) =>
        exception.Source == typeof(RedirectHandler).Assembly.GetName().Name;

    /// <summary>How a redirect refused by Kiota's handler (see <see cref="IsTooManyRedirects"/>) went wrong, after "redirected".</summary>
    public static string DescribeRefusedRedirect(InvalidOperationException exception) =>
        exception.Message.Contains("Location", StringComparison.Ordinal) ? "without a location"
        : exception.Message.Contains("scheme", StringComparison.OrdinalIgnoreCase) ? "to another scheme"
        : $"more than {MaxRedirects} times";

    /// <summary>Links <paramref name="handlers"/> in order over <paramref name="transport"/>.</summary>
    public static HttpMessageHandler Link(DelegatingHandler[] handlers, HttpMessageHandler transport)
    {
        HttpMessageHandler inner = transport;
        for (var i = handlers.Length - 1; i >= 0; i--)
        {
            handlers[i].InnerHandler = inner;
            inner = handlers[i];
        }

        return inner;
    }

    /// <summary>The base address as HttpClient needs it: ending with '/' so relative paths append.</summary>
    public static Uri NormaliseBase(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}
