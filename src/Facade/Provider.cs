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
    /// <summary>Every provider, in declaration order.</summary>
    public static IReadOnlyList<Provider> All { get; } = Enum.GetValues<Provider>();

    // The names are the adapters' (each provider is described in one place, its adapter).
    private static readonly Dictionary<string, Provider> ByName = All.ToDictionary(
        p => AsyncTasks.Providers.ProviderRegistry.Get(p).Name,
        StringComparer.OrdinalIgnoreCase);

    /// <summary>The text name of <paramref name="provider"/>, e.g. <c>tencent-vod</c>.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The lower-case text name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined provider.</exception>
    public static string GetName(this Provider provider) => AsyncTasks.Providers.ProviderRegistry.Get(provider).Name;

    /// <summary>
    /// The provider's published base URL, used when <see cref="ProviderOptions.BaseUrl"/> is unset; <see langword="null"/>
    /// for <see cref="Provider.TencentVod"/>, whose gateway must be configured. Public on purpose: an application (the
    /// <c>asynctasks providers</c> command among them) can show which gateway a configuration would use.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The default base URL (ending with '/'), or <see langword="null"/>.</returns>
    public static Uri? GetDefaultBaseUrl(this Provider provider) =>
        AsyncTasks.Providers.ProviderRegistry.Get(provider).DefaultBaseUrl;

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
                $"Unknown provider '{name}'. Known providers: {string.Join(", ", ByName.Keys)}.");
}
