using System.Reflection;
using System.Text;
using AsyncTasks.Tests.Infrastructure;

namespace AsyncTasks.Tests.PublicApi;

/// <summary>
/// Conventions of the public surface. The surface itself is tracked by the public API analyzer
/// (src/Facade/PublicAPI.Shipped.txt and PublicAPI.Unshipped.txt): a change not listed there fails the build.
/// </summary>
[TestFixture]
public sealed class PublicApiTests
{
    [Test]
    public void EveryPublicClassIsSealedOrStaticOrTheExceptionBase()
    {
        var open = typeof(TaskClient).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract && t != typeof(TaskClientException))
            .Select(t => t.FullName)
            .ToList();

        Assert.That(open, Is.Empty);
    }
}
