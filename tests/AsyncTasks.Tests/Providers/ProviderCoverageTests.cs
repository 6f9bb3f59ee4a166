using AsyncTasks.Cli.Demo;
using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// Every provider is complete: an adapter that describes it, a case in the client tests (which drive the fault, key and
/// wait tests), a fixture of mapping tests and a scenario in <c>asynctasks demo</c>. A provider added without one of
/// them fails here, by name.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class ProviderCoverageTests
{
    [Test]
    public void EveryProviderHasAnAdapterATestCaseAMappingFixtureAndADemoScenario()
    {
        var fixtures = typeof(ProviderCoverageTests).Assembly.GetTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var provider in ProviderNames.All)
        {
            var adapter = ProviderRegistry.Get(provider);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(adapter.Provider, Is.EqualTo(provider));
                Assert.That(names.Add(adapter.Name), Is.True, $"{provider}: its name '{adapter.Name}' is another provider's");
                Assert.That(ProviderNames.Parse(adapter.Name), Is.EqualTo(provider));
                Assert.That(adapter.DefaultPollInterval, Is.GreaterThan(TimeSpan.Zero), $"{provider}: default poll interval");
                Assert.That(ProviderCase.All.Count(c => c.Provider == provider), Is.EqualTo(1), $"{provider}: a case in ProviderCase.All");
                Assert.That(fixtures, Does.Contain($"{provider}AdapterTests"), $"{provider}: a fixture of mapping tests");
                Assert.That(DemoScenario.All.Count(s => s.Provider == provider), Is.EqualTo(1), $"{provider}: a scenario in DemoScenario.All");
            }
        }
    }
}
