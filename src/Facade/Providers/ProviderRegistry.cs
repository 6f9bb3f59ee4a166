namespace AsyncTasks.Providers;

/// <summary>The adapters of all providers. Adding a provider is one line here (plus its enum value and adapter).</summary>
internal static class ProviderRegistry
{
    /// <summary>Indexed by the provider's value (the enum's values are 0, 1, 2, …).</summary>
    private static readonly ProviderAdapter[] Adapters = ByValue(
        new MountseaAdapter(),
        new DuomiAdapter(),
        new KexiangAdapter(),
        new TencentVodAdapter(),
        new SkyEngineAdapter());

    public static ProviderAdapter Get(Provider provider) =>
        (uint)provider < (uint)Adapters.Length
            ? Adapters[(int)provider]
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a defined provider.");

    private static ProviderAdapter[] ByValue(params ProviderAdapter[] adapters)
    {
        var byValue = new ProviderAdapter[adapters.Length];
        foreach (var adapter in adapters)
        {
            byValue[(int)adapter.Provider] = adapter;
        }

        return byValue;
    }
}
