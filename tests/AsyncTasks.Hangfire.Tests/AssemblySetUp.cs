using AsyncTasks.Hangfire.Worker;
using Hangfire;

namespace AsyncTasks.Hangfire.Tests;

/// <summary>
/// Starts the PostgreSQL cluster every test shares (each test uses a schema of its own) and stops it at the end, also
/// when tests fail. There is no skipping: without PostgreSQL 15 the tests fail with what to install.
/// </summary>
[SetUpFixture]
public sealed class AssemblySetUp
{
    public static LocalPostgres Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL was not started.");

    private static LocalPostgres? _postgres;

    [OneTimeSetUp]
    public void Start()
    {
        // Hangfire's own retry of a failed job (a throwing handler), after 1 s instead of its default 15 s or more.
        GlobalJobFilters.Filters.Remove(typeof(AutomaticRetryAttribute));
        GlobalJobFilters.Filters.Add(new AutomaticRetryAttribute { Attempts = 5, DelaysInSeconds = [1] });
        _postgres = LocalPostgres.Start();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _postgres?.Dispose();
        _postgres = null;
    }
}
