using AsyncTasks.Providers;

namespace AsyncTasks.Http;

/// <summary>
/// Attaches a provider's key to requests bound for that provider's configured origin (scheme, host and port)
/// and strips it from every other request. It sits innermost, after the redirect handler, so a redirect to
/// another origin or a download from another host is sent without the key even if an outer handler copied it.
/// </summary>
internal sealed class ApiKeyHandler : DelegatingHandler
{
    private readonly IReadOnlyList<KeyBinding> _bindings;
    private readonly HashSet<string> _headerNames;

    public ApiKeyHandler(IReadOnlyList<KeyBinding> bindings)
    {
        _bindings = bindings;
        _headerNames = new HashSet<string>(bindings.Select(b => b.Scheme.HeaderName), StringComparer.OrdinalIgnoreCase);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        foreach (var name in _headerNames)
        {
            request.Headers.Remove(name);
        }

        if (request.RequestUri is { IsAbsoluteUri: true } target)
        {
            foreach (var binding in _bindings)
            {
                if (SameOrigin(target, binding.Origin))
                {
                    request.Headers.TryAddWithoutValidation(binding.Scheme.HeaderName, binding.Scheme.Prefix + binding.ApiKey);
                    break;
                }
            }
        }

        return base.SendAsync(request, cancellationToken);
    }

    internal static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}

/// <summary>A key and the only origin it may be sent to.</summary>
internal sealed record KeyBinding(Uri Origin, ApiKeyScheme Scheme, string ApiKey)
{
    /// <summary>Never shows the key.</summary>
    public override string ToString() => $"KeyBinding {{ Origin = {Origin}, Header = {Scheme.HeaderName} }}";
}
