using AsyncTasks.Tests.Infrastructure.Specs;

namespace AsyncTasks.Tests.Contract;

/// <summary>
/// Every documented response example of every spec, served by a real WireMock server and read through the
/// NSwag-generated client: the client must send the documented request and read back every example value.
/// </summary>
[TestFixture]
[Category("Contract")]
internal sealed class ResponseExampleReplayTests
{
    private static readonly string[] KnownSources = ["doc", "third-party", "inferred"];

    [TestCaseSource(typeof(SpecCases), nameof(SpecCases.ResponseExamples))]
    public async Task GeneratedClientReadsDocumentedExample(SpecResponseExample example)
    {
        // Arrange
        Assert.That(example.Source, Is.AnyOf(KnownSources), $"{example.ExampleLocation} must have x-source doc, third-party or inferred.");

        // Act
        var replay = await ExampleReplay.RunAsync(example, example.Value);

        // Assert
        ExampleReplay.AssertSingleDocumentedRequest(replay);
        var readBack = ExampleReplay.AssertOutcomeAndGetBody(example, replay);
        ExampleReplay.AssertCarries(example.Value, readBack, example.ToString());
    }
}
