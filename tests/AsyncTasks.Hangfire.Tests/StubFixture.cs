namespace AsyncTasks.Hangfire.Tests;

/// <summary>A fixture with its own stub, started once and emptied before each test.</summary>
public abstract class StubFixture
{
    private Stub? _stub;

    internal Stub Stub => _stub ?? throw new InvalidOperationException("The stub is not started.");

    [OneTimeSetUp]
    public void StartStub() => _stub = Stub.Start();

    [OneTimeTearDown]
    public void StopStub() => _stub?.Dispose();

    [SetUp]
    public void ResetStub() => Stub.Reset();
}
