using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests;

/// <summary>
/// Runs around every test of the assembly (it sits in the root namespace). Stops the shared WireMock server once
/// all tests have run, failed or not. The server itself is started lazily by the first test that needs it
/// (<see cref="WireMockServer.Shared"/>).
/// </summary>
[SetUpFixture]
public sealed class AssemblySetUpFixture
{
    /// <summary>Stops the shared WireMock server, if it was started.</summary>
    [OneTimeTearDown]
    public void StopWireMock() => WireMockServer.StopShared();
}
