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

    private readonly Dictionary<Provider, Key> _keys;
    private readonly string[] _headerNames;
    private readonly Provider? _provider;

    /// <summary>For a provider's own client: that provider's key, if it has one (found once, not per request).</summary>
    private readonly Key? _own;

    /// <param name="bindings">Every configured key with its origin.</param>
    /// <param name="provider">The provider whose client this is; <see langword="null"/> for the download client.</param>
    public ApiKeyHandler(IReadOnlyList<KeyBinding> bindings, Provider? provider)
    {
        _keys = bindings.ToDictionary(b => b.Provider, b => new Key(b, b.Scheme.Prefix + b.ApiKey));
        _headerNames = [.. bindings.Select(b => b.Scheme.HeaderName).Distinct(StringComparer.OrdinalIgnoreCase)];
        _provider = provider;
        _own = provider is { } p && _keys.TryGetValue(p, out var own) ? own : null;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        RemoveKeyHeaders(request.Headers);

        Key? key = _provider is not null ? _own
            : request.Options.TryGetValue(SourceProvider, out var source) && _keys.TryGetValue(source, out var sourceKey) ? sourceKey
            : null;
        if (key is not null
            && request.RequestUri is { IsAbsoluteUri: true } target
            && SameOrigin(target, key.Binding.Origin))
        {
            request.Headers.TryAddWithoutValidation(key.Binding.Scheme.HeaderName, key.HeaderValue);
        }

        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>Removes every key header (of any provider) that the request already carries, whoever set it.</summary>
    private void RemoveKeyHeaders(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        // Asked of the headers without validation (a name lookup, no value formatted) and removed only when present:
        // a removal by name validates the name, and enumerating the headers would format every parsed value (the
        // user agent, Accept) into text on every request.
        var present = headers.NonValidated;
        foreach (var name in _headerNames)
        {
            if (present.Contains(name))
            {
                headers.Remove(name);
            }
        }
    }

    internal static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>A key as this handler sends it.</summary>
    private sealed class Key(KeyBinding binding, string headerValue)
    {
        public KeyBinding Binding { get; } = binding;

        public string HeaderValue { get; } = headerValue;

        /// <summary>Never shows the key.</summary>
        public override string ToString() => Binding.ToString();
    }
}

/// <summary>A provider's key and the only origin it may be sent to.</summary>
internal sealed record KeyBinding(Provider Provider, Uri Origin, ApiKeyScheme Scheme, string ApiKey)
{
    /// <summary>Never shows the key.</summary>
    public override string ToString() => $"KeyBinding {{ Provider = {Provider.GetName()}, Origin = {Origin}, Header = {Scheme.HeaderName} }}";
}
