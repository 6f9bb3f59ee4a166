using AsyncTasks.Tests.Infrastructure.Json;
using AsyncTasks.Tests.Infrastructure.Specs;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Contract;

/// <summary>
/// A gateway may answer a status value the docs do not list. Status-like fields are plain strings with
/// <c>x-known-values</c> (no enum), so such a value must be read as is, not break deserialization.
/// </summary>
[TestFixture]
[Category("Contract")]
internal sealed class UnknownStatusTests
{
    private const string UnlistedStatus = "zz-unlisted-status-42";

    [TestCaseSource(typeof(SpecCases), nameof(SpecCases.SpecFiles))]
    public async Task UnlistedKnownValueIsReadAsIs(SpecLoadResult spec)
    {
        // Arrange
        Assert.That(spec.Document, Is.Not.Null, $"{spec.FileName} could not be read: {spec.Error}");
        var (example, location) = spec.Document!.Examples
            .Where(e => e.IsSuccess)
            .Select(e => (Example: e, Locations: KnownValuesLocator.Find(e.Operation.Spec, e.Schema, e.Value)))
            .Where(x => x.Locations.Count > 0)
            .Select(x => (x.Example, x.Locations[0]))
            .FirstOrDefault();
        Assert.That(
            example,
            Is.Not.Null,
            $"{spec.FileName}: no 2xx response example has a value whose schema declares {KnownValuesLocator.Extension}; status-like fields must list their documented values.");
        TestContext.Out.WriteLine($"Replaying {example} with {location} = '{UnlistedStatus}'.");
        var body = example!.Value.DeepClone();
        location!.Replace(body, new JValue(UnlistedStatus));

        // Act
        var replay = await ExampleReplay.RunAsync(example, body);

        // Assert
        ExampleReplay.AssertSingleDocumentedRequest(replay);
        var readBack = ExampleReplay.AssertOutcomeAndGetBody(example, replay);
        Assert.That(
            location.Find(readBack) is JValue { Type: JTokenType.String } read ? (string?)read : location.Find(readBack)?.ToString(),
            Is.EqualTo(UnlistedStatus),
            $"{example} with {location} = '{UnlistedStatus}': the value must survive deserialization. Read back: {JsonText.Compact(readBack)}");
        ExampleReplay.AssertCarries(body, readBack, $"{example} with {location} = '{UnlistedStatus}'");
    }
}
