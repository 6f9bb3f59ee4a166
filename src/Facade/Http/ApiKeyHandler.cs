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
        // Encoded once here, not per request: the header value, and the key's UTF-8 bytes that the redaction of
        // responses looks for (only for a provider's own client: downloads are never redacted).
        _keys = bindings.ToDictionary(
            b => b.Provider,
            b => new Key(
                b,
                b.Scheme.Prefix + b.ApiKey,
                provider is not null ? SecretOf(b) : null));
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
        Key? attached = null;
        if (key is not null
            && request.RequestUri is { IsAbsoluteUri: true } target
            && (target.OriginalString.StartsWith(key.OriginPrefix, StringComparison.Ordinal)
                || target.OriginalString.StartsWith(key.OriginPrefix, StringComparison.OrdinalIgnoreCase)
                || SameOrigin(target, key.Binding.Origin)))
        {
            request.Headers.TryAddWithoutValidation(key.Binding.Scheme.HeaderName, key.HeaderValue);
            attached = key;
        }

        // An API answer that echoes the key back must not carry it into messages, logs or RawResponse.
        // Downloads (no _provider, so no Secret) are left byte-exact.
        return attached?.Secret is { } secret
            ? SendRedactingAsync(request, secret, cancellationToken)
            : base.SendAsync(request, cancellationToken);
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

    private Task<HttpResponseMessage> SendRedactingAsync(HttpRequestMessage request, byte[] secret, CancellationToken cancellationToken)
    {
        var sending = base.SendAsync(request, cancellationToken);
        if (sending.IsCompletedSuccessfully)
        {
            // Already answered: the same task serves, with the response's content wrapped.
            Redact(sending.Result, secret);
            return sending;
        }

        return AwaitAndRedactAsync(sending, secret);

        static async Task<HttpResponseMessage> AwaitAndRedactAsync(Task<HttpResponseMessage> sending, byte[] secret)
        {
            var response = await sending.ConfigureAwait(false);
            Redact(response, secret);
            return response;
        }
    }

    /// <summary>
    /// Makes sure the key cannot come out of the response's body. A 200 answer of a provider's API is read only by the
    /// facade's readers of the generated clients (<c>ReadObjectResponseAsync</c>, overridden for all five), which are
    /// given the key's bytes by the client and overwrite them as they read (<see cref="AsyncTasks.Providers.GeneratedJson"/>),
    /// so it is left as it is, saving a wrapper per poll; every other answer (errors, redirects, any other status),
    /// which the generated code or a handler may read as text, is wrapped in a <see cref="RedactingContent"/>.
    /// </summary>
    private static void Redact(HttpResponseMessage response, byte[] secret)
    {
        if (response.Content is { } content && response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            response.Content = new RedactingContent(content, secret);
        }
    }

    /// <summary>
    /// The bytes that redaction overwrites for <paramref name="binding"/>: the key in UTF-8, or <see langword="null"/>
    /// for a key too short to be told apart from ordinary text (see <see cref="RedactingContent.MinimumSecretLength"/>).
    /// </summary>
    internal static byte[]? SecretOf(KeyBinding binding) =>
        binding.ApiKey.Length >= RedactingContent.MinimumSecretLength ? System.Text.Encoding.UTF8.GetBytes(binding.ApiKey) : null;

    internal static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>A key as this handler sends it: the header value and, when responses are redacted, the key's UTF-8 bytes.</summary>
    private sealed class Key(KeyBinding binding, string headerValue, byte[]? secret)
    {
        public KeyBinding Binding { get; } = binding;

        public string HeaderValue { get; } = headerValue;

        /// <summary>
        /// The origin as text followed by '/', e.g. <c>https://api.example.com/</c>: a URL whose text starts with it has
        /// that origin, without parsing its host (URLs written otherwise, e.g. with the default port, are compared in full).
        /// </summary>
        public string OriginPrefix { get; } = binding.Origin.GetLeftPart(UriPartial.Authority) + "/";

        /// <summary>What <see cref="RedactingContent"/> overwrites; <see langword="null"/> when responses are not redacted.</summary>
        public byte[]? Secret { get; } = secret;

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
