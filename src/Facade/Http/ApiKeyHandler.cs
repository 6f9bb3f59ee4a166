using AsyncTasks.Providers;

namespace AsyncTasks.Http;

/// <summary>
/// Attaches one provider's key to requests bound for that provider's configured origin (scheme, host and port)
/// and strips every key header from every other request. It sits innermost, after the redirect handler, so a
/// redirect to another origin or a download from another host is sent without the key even if an outer handler
/// copied it.
/// </summary>
/// <remarks>
/// The key is chosen by provider, never by origin alone: several providers may share an origin (one gateway, a
/// test server), and a request of one must never carry another's key. A provider's client attaches only its own
/// provider's key; the shared download client attaches the key of the provider named by <see cref="SourceProvider"/>
/// on the request (the provider whose task produced the output), and only for that provider's own origin.
/// </remarks>
internal sealed class ApiKeyHandler : DelegatingHandler
{
    /// <summary>On a download request: the provider whose output is fetched.</summary>
    public static readonly HttpRequestOptionsKey<Provider> SourceProvider = new("AsyncTasks.SourceProvider");

    private readonly Dictionary<Provider, KeyBinding> _bindings;
    private readonly HashSet<string> _headerNames;
    private readonly Provider? _provider;

    /// <param name="bindings">Every configured key with its origin.</param>
    /// <param name="provider">The provider whose client this is; <see langword="null"/> for the download client.</param>
    public ApiKeyHandler(IReadOnlyList<KeyBinding> bindings, Provider? provider)
    {
        _bindings = bindings.ToDictionary(b => b.Provider);
        _headerNames = new HashSet<string>(bindings.Select(b => b.Scheme.HeaderName), StringComparer.OrdinalIgnoreCase);
        _provider = provider;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        foreach (var name in _headerNames)
        {
            request.Headers.Remove(name);
        }

        var provider = _provider ?? (request.Options.TryGetValue(SourceProvider, out var source) ? source : null);
        KeyBinding? attached = null;
        if (provider is { } owner
            && _bindings.TryGetValue(owner, out var binding)
            && request.RequestUri is { IsAbsoluteUri: true } target
            && SameOrigin(target, binding.Origin))
        {
            request.Headers.TryAddWithoutValidation(binding.Scheme.HeaderName, binding.Scheme.Prefix + binding.ApiKey);
            attached = binding;
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        // An API answer that echoes the key back must not carry it into messages, logs or RawResponse.
        // Downloads (no _provider) are left byte-exact.
        if (_provider is not null
            && attached is not null
            && attached.ApiKey.Length >= RedactingContent.MinimumSecretLength
            && response.Content is { } content)
        {
            response.Content = new RedactingContent(content, System.Text.Encoding.UTF8.GetBytes(attached.ApiKey));
        }

        return response;
    }

    internal static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}

/// <summary>A provider's key and the only origin it may be sent to.</summary>
internal sealed record KeyBinding(Provider Provider, Uri Origin, ApiKeyScheme Scheme, string ApiKey)
{
    /// <summary>Never shows the key.</summary>
    public override string ToString() => $"KeyBinding {{ Provider = {Provider.GetName()}, Origin = {Origin}, Header = {Scheme.HeaderName} }}";
}
