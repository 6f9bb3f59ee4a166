using AsyncTasks.Cli.Demo;
using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// Every provider is complete: an adapter that describes it, a case of test data (which drives the client, fault, key,
/// wait and status table tests), a fixture of mapping tests and a scenario in <c>asynctasks demo</c> (chosen from its
/// spec's examples). A provider added without one of them fails here, by name.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class ProviderCoverageTests
{
    [Test]
    public async Task EveryProviderHasAnAdapterATestCaseAMappingFixtureAndADemoScenario()
    {
        var fixtures = typeof(ProviderCoverageTests).Assembly.GetTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var scenarios = new Dictionary<Provider, string>();
        foreach (var provider in ProviderNames.All)
        {
            try
            {
                var scenario = await DemoScenario.ForAsync(provider, CancellationToken.None);
                scenarios[provider] = string.Join(" -> ", scenario.Steps);
            }
            catch (Exception exception) when (exception is InvalidOperationException or FormatException)
            {
                scenarios[provider] = exception.Message;
            }
        }

        foreach (var provider in ProviderNames.All)
        {
            var adapter = ProviderRegistry.Get(provider);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(adapter.Provider, Is.EqualTo(provider));
                Assert.That(names.Add(adapter.Name), Is.True, $"{provider}: its name '{adapter.Name}' is another provider's");
                Assert.That(ProviderNames.Parse(adapter.Name), Is.EqualTo(provider));
                Assert.That(adapter.DefaultPollInterval, Is.GreaterThan(TimeSpan.Zero), $"{provider}: default poll interval");
                Assert.That(ProviderCase.All.Count(c => c.Provider == provider), Is.EqualTo(1), $"{provider}: a ProviderCase subclass in Providers/{provider}/");
                Assert.That(fixtures, Does.Contain($"{provider}AdapterTests"), $"{provider}: a fixture of mapping tests, {provider}AdapterTests in Providers/{provider}/");
                Assert.That(scenarios[provider], Does.Contain(" -> "), $"{provider}: a demo scenario from its spec's examples");
            }
        }
    }
}
