namespace AsyncTasks.Providers;

/// <summary>
/// The adapters of all providers, each the one description of its provider (name, defaults, key scheme, client,
/// mapping). Adding a provider is its enum value, its adapter and one line here.
/// </summary>
internal static class ProviderRegistry
{
    private static readonly Dictionary<Provider, ProviderAdapter> Adapters = new ProviderAdapter[]
    {
        new MountseaAdapter(),
        new DuomiAdapter(),
        new KexiangAdapter(),
        new TencentVodAdapter(),
        new SkyEngineAdapter(),
    }.ToDictionary(a => a.Provider);

    public static ProviderAdapter Get(Provider provider) =>
        Adapters.TryGetValue(provider, out var adapter)
            ? adapter
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a defined provider.");
}
