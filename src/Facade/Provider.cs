namespace AsyncTasks;

/// <summary>The gateways whose task results AsyncTasks reads.</summary>
public enum Provider
{
    /// <summary>Mountsea (<c>mountsea</c>): Veo video and Nano Banana image tasks.</summary>
    Mountsea,

    /// <summary>Duomi (<c>duomi</c>): Nano Banana image tasks.</summary>
    Duomi,

    /// <summary>Kexiang / 可想AI (<c>kexiang</c>): Kbanana image tasks.</summary>
    Kexiang,

    /// <summary>A gateway in front of Tencent Cloud VOD AIGC tasks (<c>tencent-vod</c>); its base URL must be configured.</summary>
    TencentVod,

    /// <summary>SkyEngine TokenOps ModelHub (<c>skyengine</c>): Veo long-running video operations.</summary>
    SkyEngine,
}

/// <summary>The text names of <see cref="Provider"/> values, as used in <see cref="TaskRef"/> strings, configuration and the command line.</summary>
public static class ProviderNames
{
    private static readonly Dictionary<Provider, string> Names = new()
    {
        [Provider.Mountsea] = "mountsea",
        [Provider.Duomi] = "duomi",
        [Provider.Kexiang] = "kexiang",
        [Provider.TencentVod] = "tencent-vod",
        [Provider.SkyEngine] = "skyengine",
    };

    private static readonly Dictionary<string, Provider> ByName = Names.ToDictionary(
        pair => pair.Value,
        pair => pair.Key,
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Every provider, in declaration order.</summary>
    public static IReadOnlyList<Provider> All { get; } = Enum.GetValues<Provider>();

    /// <summary>The text name of <paramref name="provider"/>, e.g. <c>tencent-vod</c>.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The lower-case text name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined provider.</exception>
    public static string GetName(this Provider provider) =>
        Names.TryGetValue(provider, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a defined provider.");

    /// <summary>
    /// The provider's published base URL, used when <see cref="ProviderOptions.BaseUrl"/> is unset; <see langword="null"/>
    /// for <see cref="Provider.TencentVod"/>, whose gateway must be configured.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The default base URL (ending with '/'), or <see langword="null"/>.</returns>
    public static Uri? GetDefaultBaseUrl(this Provider provider) =>
        AsyncTasks.Providers.ProviderRegistry.Get(provider).DefaultBaseUrl;

    /// <summary>The first delay between polls of a wait when neither the wait nor the provider's options set one.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>2 s for the image gateways, 3 s for Mountsea, 5 s for SkyEngine (Veo).</returns>
    public static TimeSpan GetDefaultPollInterval(this Provider provider) =>
        AsyncTasks.Providers.ProviderRegistry.Get(provider).DefaultPollInterval;

    /// <summary>Reads a provider from its text name (case-insensitive).</summary>
    /// <param name="name">A name such as <c>duomi</c> or <c>tencent-vod</c>.</param>
    /// <param name="provider">The provider, when the name is known.</param>
    /// <returns><see langword="true"/> when the name is known.</returns>
    public static bool TryParse(string? name, out Provider provider)
    {
        provider = default;
        return name is not null && ByName.TryGetValue(name.Trim(), out provider);
    }

    /// <summary>Reads a provider from its text name (case-insensitive).</summary>
    /// <param name="name">A name such as <c>duomi</c> or <c>tencent-vod</c>.</param>
    /// <returns>The provider.</returns>
    /// <exception cref="FormatException">The name is not one of the known providers; the message lists them.</exception>
    public static Provider Parse(string name) =>
        TryParse(name, out var provider)
            ? provider
            : throw new FormatException(
                $"Unknown provider '{name}'. Known providers: {string.Join(", ", Names.Values)}.");
}
