namespace AsyncTasks.Providers;

/// <summary>
/// The adapters of all providers, each the one description of its provider (name, defaults, key scheme, client,
/// mapping). Every concrete <see cref="ProviderAdapter"/> of this assembly is one: adding a provider is its enum value
/// and its adapter (in <c>Providers/&lt;Name&gt;/</c>), nothing here.
/// </summary>
internal static class ProviderRegistry
{
    private static readonly Dictionary<Provider, ProviderAdapter> Adapters = FindAdapters();

    public static ProviderAdapter Get(Provider provider) =>
        Adapters.TryGetValue(provider, out var adapter)
            ? adapter
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a defined provider.");

    private static Dictionary<Provider, ProviderAdapter> FindAdapters()
    {
        var adapters = typeof(ProviderAdapter).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(ProviderAdapter)) && !type.IsAbstract)
            .Select(type => (ProviderAdapter)Activator.CreateInstance(type)!)
            .ToList();

        // A provider without an adapter, or with two, is a mistake of this assembly: it fails at once, naming the provider.
        foreach (var provider in Enum.GetValues<Provider>())
        {
            var count = adapters.Count(a => a.Provider == provider);
            if (count != 1)
            {
                throw new InvalidOperationException(
                    $"Provider {provider} has {count} adapters; it needs exactly one (a ProviderAdapter in Providers/{provider}/).");
            }
        }

        return adapters.ToDictionary(a => a.Provider);
    }
}
