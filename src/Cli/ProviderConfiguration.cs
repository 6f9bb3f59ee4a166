namespace AsyncTasks.Cli;

/// <summary>A usage or configuration error (exit code 2): the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A <c>--download</c> file could not be written (exit code 5): the message names the file and the reason.</summary>
internal sealed class OutputWriteException(string message, Exception inner) : Exception(message, inner);

/// <summary>Where a setting came from.</summary>
internal enum SettingSource
{
    /// <summary>Not set anywhere.</summary>
    None,

    /// <summary>A command line option.</summary>
    Option,

    /// <summary>An environment variable.</summary>
    Environment,

    /// <summary>The provider's published default.</summary>
    Default,
}

/// <summary>The base URL and key of one provider as this run sees them; never printed with the key.</summary>
internal sealed record ProviderSettings(
    Provider Provider,
    string? BaseUrlText,
    SettingSource BaseUrlSource,
    string? ApiKey,
    SettingSource ApiKeySource)
{
    /// <summary>Whether a key is set (the key itself is never shown).</summary>
    public bool HasApiKey => !string.IsNullOrEmpty(ApiKey);

    /// <summary>Describes the source of the base URL for messages, e.g. <c>--base-url</c> or <c>ASYNCTASKS_DUOMI_BASE_URL</c>.</summary>
    public string BaseUrlOrigin => BaseUrlSource switch
    {
        SettingSource.Option => "--base-url",
        SettingSource.Environment => ProviderConfiguration.BaseUrlVariable(Provider),
        _ => "the default base URL",
    };

    /// <summary>
    /// The base URL, checked: absolute http(s), no query, fragment or user info, and http:// only on a loopback host
    /// (anywhere else the key would travel in clear text). Throws <see cref="UsageException"/> saying what to fix.
    /// </summary>
    public Uri RequireBaseUrl()
    {
        if (BaseUrlText is null)
        {
            throw new UsageException(
                $"{Provider.GetName()} has no default base URL: pass --base-url https://your-gateway.example.com/ or set {ProviderConfiguration.BaseUrlVariable(Provider)}.");
        }

        if (ProviderConfiguration.CheckBaseUrl(BaseUrlText) is { } problem)
        {
            throw new UsageException($"{BaseUrlOrigin} '{BaseUrlText}' {problem}.");
        }

        return new Uri(BaseUrlText, UriKind.Absolute);
    }

    /// <summary>The key, or a <see cref="UsageException"/> naming the option and the variable to set.</summary>
    public string RequireApiKey() =>
        HasApiKey
            ? ApiKey!
            : throw new UsageException(
                $"No API key for {Provider.GetName()}: set {ProviderConfiguration.ApiKeyVariable(Provider)} (or pass --api-key).");
}

/// <summary>Reads provider settings from options and the environment; an option wins over the environment.</summary>
internal static class ProviderConfiguration
{
    /// <summary>The provider part of the environment variable names: the name in capitals with <c>_</c> for <c>-</c>, e.g. TENCENT_VOD.</summary>
    public static string VariablePart(Provider provider) =>
        provider.GetName().ToUpperInvariant().Replace('-', '_');

    /// <summary><c>ASYNCTASKS_&lt;P&gt;_API_KEY</c>.</summary>
    public static string ApiKeyVariable(Provider provider) => $"ASYNCTASKS_{VariablePart(provider)}_API_KEY";

    /// <summary><c>ASYNCTASKS_&lt;P&gt;_BASE_URL</c>.</summary>
    public static string BaseUrlVariable(Provider provider) => $"ASYNCTASKS_{VariablePart(provider)}_BASE_URL";

    /// <summary>The provider's published base URL, or <see langword="null"/> (tencent-vod).</summary>
    public static string? DefaultBaseUrl(Provider provider) => provider.GetDefaultBaseUrl()?.AbsoluteUri;

    /// <summary>Resolves the settings of <paramref name="provider"/>: option, then environment, then default.</summary>
    public static ProviderSettings Resolve(
        Provider provider,
        string? baseUrlOption,
        string? apiKeyOption,
        Func<string, string?> environment)
    {
        if (baseUrlOption is not null && string.IsNullOrWhiteSpace(baseUrlOption))
        {
            throw new UsageException("--base-url is empty: pass the gateway's URL, e.g. --base-url https://gateway.example.com/.");
        }

        if (apiKeyOption is not null && string.IsNullOrWhiteSpace(apiKeyOption))
        {
            throw new UsageException($"--api-key is empty: pass the key, or leave the option out and set {ApiKeyVariable(provider)}.");
        }

        var (baseUrl, baseUrlSource) = Pick(baseUrlOption, environment(BaseUrlVariable(provider)), DefaultBaseUrl(provider));
        var (apiKey, apiKeySource) = Pick(apiKeyOption, environment(ApiKeyVariable(provider)), null);
        if (apiKey is not null && apiKey.Any(char.IsControl))
        {
            throw new UsageException(
                $"The API key from {(apiKeySource == SettingSource.Option ? "--api-key" : ApiKeyVariable(provider))} contains a control character (a line break?): set the key alone.");
        }

        return new ProviderSettings(provider, baseUrl?.Trim(), baseUrlSource, apiKey?.Trim(), apiKeySource);
    }

    /// <summary>What is wrong with a base URL, or <see langword="null"/> when it is usable.</summary>
    public static string? CheckBaseUrl(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(url.Host))
        {
            return "is not an absolute http(s) URL; use the form https://gateway.example.com/";
        }

        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment) || !string.IsNullOrEmpty(url.UserInfo))
        {
            return "must not contain a query, a fragment or user info; pass the gateway's root URL only";
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            return "is refused: http:// on a non-loopback host would send the API key in clear text; use https://";
        }

        return null;
    }

    private static (string? Value, SettingSource Source) Pick(string? option, string? environment, string? fallback)
    {
        if (option is not null)
        {
            return (option, SettingSource.Option);
        }

        if (!string.IsNullOrWhiteSpace(environment))
        {
            return (environment, SettingSource.Environment);
        }

        return fallback is null ? (null, SettingSource.None) : (fallback, SettingSource.Default);
    }

    /// <summary>The name of a source for the providers listing.</summary>
    public static string Describe(SettingSource source) => source switch
    {
        SettingSource.Option => "option",
        SettingSource.Environment => "environment",
        SettingSource.Default => "default",
        _ => "none",
    };
}
