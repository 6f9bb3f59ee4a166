using System.Globalization;
using AsyncTasks.Hangfire;
using AsyncTasks.Hangfire.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A Hangfire server with the tracker, as a separate process:
//   AsyncTasks.Hangfire.Worker --postgres CS --schema S --stub URL --key K --interval-ms N --workers N --out FILE
// Each handler call appends "trackingId outcome pid" to FILE. Runs until killed or its standard input closes.
var values = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    values[args[i].TrimStart('-')] = args[i + 1];
}

var settings = new TrackingHostSettings
{
    Postgres = values["postgres"],
    Schema = values.GetValueOrDefault("schema", "hangfire"),
    StubUrl = new Uri(values["stub"]),
    ApiKey = values["key"],
    PollInterval = TimeSpan.FromMilliseconds(int.Parse(values.GetValueOrDefault("interval-ms", "20"), CultureInfo.InvariantCulture)),
    Workers = int.Parse(values.GetValueOrDefault("workers", "4"), CultureInfo.InvariantCulture),
};

using var output = new StreamWriter(values["out"], append: true) { AutoFlush = true };
using var host = TrackingHost.Build(settings, services => services.AddSingleton<ITaskCompletionHandler>(new FileHandler(output)));
await host.StartAsync().ConfigureAwait(false);
Console.WriteLine("ready");

// The parent closes standard input (or kills the process) to stop it.
await Console.In.ReadToEndAsync().ConfigureAwait(false);
await host.StopAsync().ConfigureAwait(false);
return 0;

/// <summary>Records each call on its own line, flushed at once, so a process killed later has its calls on disk.</summary>
internal sealed class FileHandler(StreamWriter output) : ITaskCompletionHandler
{
    public Task HandleAsync(TaskCompletion completion, CancellationToken cancellationToken)
    {
        lock (output)
        {
            output.WriteLine($"{completion.TrackingId} {completion.Outcome} {Environment.ProcessId}");
        }

        return Task.CompletedTask;
    }
}
