using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Cli.Tests;

/// <summary>Stops the shared WireMock server once all tests of the assembly have run.</summary>
[SetUpFixture]
public sealed class AssemblySetUpFixture
{
    /// <summary>Stops the shared WireMock server, if it was started.</summary>
    [OneTimeTearDown]
    public void StopWireMock() => WireMockServer.StopShared();
}
