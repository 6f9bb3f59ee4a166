using System.Diagnostics.Metrics;
using AsyncTasks.Diagnostics;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// The instruments of the Meter named <c>AsyncTasks</c> as a metrics back end sees them: name, unit (UCUM, as
/// OpenTelemetry expects) and description.
/// </summary>
[TestFixture]
[Category("Client")]
internal sealed class TelemetryInstrumentTests
{
    [Test]
    public void EveryInstrumentIsPublishedWithItsUnitAndDescription()
    {
        // Arrange: make sure the instruments exist before the listener starts.
        _ = AsyncTasksTelemetry.Polls;
        var published = new List<(string Name, string? Unit, string? Description, Type Type)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "AsyncTasks")
                {
                    published.Add((instrument.Name, instrument.Unit, instrument.Description, instrument.GetType()));
                }
            },
        };

        // Act
        listener.Start();

        // Assert
        Assert.That(
            published.OrderBy(i => i.Name, StringComparer.Ordinal),
            Is.EqualTo(new[]
            {
                ("asynctasks.poll.duration", (string?)"s", (string?)"Duration of task reads.", typeof(Histogram<double>)),
                ("asynctasks.polls", "{poll}", "Task reads, by provider and outcome.", typeof(Counter<long>)),
                ("asynctasks.retries", "{retry}", "Retried HTTP requests, by provider.", typeof(Counter<long>)),
                ("asynctasks.waits", "{wait}", "Finished waits, by provider and outcome.", typeof(Counter<long>)),
            }));
    }
}
