namespace AsyncTasks.Providers;

/// <summary>The adapters of all providers. Adding a provider is one line here (plus its enum value and adapter).</summary>
internal static class ProviderRegistry
{
    private static readonly Dictionary<Provider, ProviderAdapter> Adapters = new ProviderAdapter[]
    {
        new MountseaAdapter(),
        new DuomiAdapter(),
        new KexiangAdapter(),
        new TencentVodAdapter(),
        new SkyEngineAdapter(),
    }.ToDictionary(adapter => adapter.Provider);

    public static ProviderAdapter Get(Provider provider) =>
        Adapters.TryGetValue(provider, out var adapter)
            ? adapter
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a defined provider.");
}
