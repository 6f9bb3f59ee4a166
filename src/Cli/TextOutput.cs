using System.Globalization;
using System.Text;

namespace AsyncTasks.Cli;

/// <summary>The human-readable forms of snapshots and errors (without --json).</summary>
internal static class TextOutput
{
    /// <summary>A block describing the snapshot, one field a line; <paramref name="files"/> after --download.</summary>
    public static string Snapshot(TaskSnapshot snapshot, IReadOnlyList<string?>? files = null)
    {
        var text = new StringBuilder();
        text.AppendLine(Secrets.Printable(snapshot.Task.ToString()));
        Field(text, "status", $"{snapshot.State.GetName()} (provider: {snapshot.ProviderState ?? "-"})");
        if (snapshot.Progress is { } progress)
        {
            Field(text, "progress", string.Create(CultureInfo.InvariantCulture, $"{progress}%"));
        }

        for (var i = 0; i < snapshot.Outputs.Count; i++)
        {
            var file = files is not null && i < files.Count ? files[i] : null;
            Field(text, string.Create(CultureInfo.InvariantCulture, $"output {i + 1}"), Output(snapshot.Outputs[i], file));
        }

        if (snapshot.Error is { } error)
        {
            Field(text, "error", error.ToString());
        }

        Field(text, "created", JsonOutput.Time(snapshot.CreatedAt));
        Field(text, "finished", JsonOutput.Time(snapshot.FinishedAt));
        Field(text, "request id", snapshot.RequestId);
        return text.ToString();
    }

    /// <summary>One output: kind, where it is, and its details.</summary>
    public static string Output(TaskOutput output, string? savedAs = null)
    {
        var where = output.Url?.OriginalString
            ?? string.Create(CultureInfo.InvariantCulture, $"{output.InlineData?.Length ?? 0} bytes inline");
        var details = new List<string>();
        if (output.FileName is not null)
        {
            details.Add(output.FileName);
        }

        if (output.MimeType is not null)
        {
            details.Add(output.MimeType);
        }

        if (output.ExpiresAt is { } expires)
        {
            details.Add("expires " + JsonOutput.Time(expires));
        }

        var text = $"{JsonOutput.KindName(output.Kind)} {where}";
        if (details.Count > 0)
        {
            text += $" ({string.Join(", ", details)})";
        }

        if (savedAs is not null)
        {
            text += $" -> {savedAs}";
        }

        return text;
    }

    /// <summary>One progress line: state, provider state and progress.</summary>
    public static string StatusLine(TaskSnapshot snapshot, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{snapshot.Task} {snapshot.State.GetName()} ({snapshot.ProviderState ?? "-"})");
        if (snapshot.Progress is { } progress)
        {
            text.Append(CultureInfo.InvariantCulture, $" {progress}%");
        }

        text.Append(CultureInfo.InvariantCulture, $" after {Elapsed(elapsed)}");
        return text.ToString();
    }

    /// <summary>Elapsed time for people: <c>1.2s</c> below a minute, then <c>2m5s</c>.</summary>
    public static string Elapsed(TimeSpan elapsed) =>
        elapsed < TimeSpan.FromMinutes(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(elapsed.TotalSeconds * 10) / 10:0.0}s")
            : Duration.Format(TimeSpan.FromSeconds(Math.Floor(elapsed.TotalSeconds)));

    /// <summary>A ten-cell progress bar, e.g. <c>[####------]</c>.</summary>
    public static string Bar(int progress)
    {
        var filled = Math.Clamp(progress, 0, 100) / 10;
        return "[" + new string('#', filled) + new string('-', 10 - filled) + "]";
    }

    /// <summary>
    /// What to do about an API or transport error, in a few words; <paramref name="download"/> is the output being
    /// fetched when the error came from a download (another host than the gateway as a rule).
    /// </summary>
    public static string Advice(TaskClientException exception, ProviderSettings settings, Uri? download = null) => download switch
    {
        not null when exception.Kind is TaskErrorKind.Authentication or TaskErrorKind.NotFound =>
            $"the output link at {download.Host} was refused or is gone (links expire): run the wait again for fresh links",
        not null when exception.Kind is not TaskErrorKind.Timeout =>
            $"could not fetch the output from {download.Host}: check the network, or run the wait again later for fresh links",
        not null => $"fetching the output from {download.Host} timed out; try again, or check the network",
        _ => GatewayAdvice(exception, settings),
    };

    private static string GatewayAdvice(TaskClientException exception, ProviderSettings settings) => exception.Kind switch
    {
        TaskErrorKind.Authentication =>
            $"check the API key ({ProviderConfiguration.ApiKeyVariable(settings.Provider)} or --api-key) and that it may read this task",
        TaskErrorKind.NotFound => "check the task id and the provider (and --base-url for a gateway)",
        TaskErrorKind.RateLimited => "the provider is rate limiting this key; wait a little and try again",
        TaskErrorKind.Server => "the provider failed; try again later",
        TaskErrorKind.Protocol => $"the answer was not the provider's API; check {settings.BaseUrlOrigin} ({settings.BaseUrlText})",
        TaskErrorKind.Transport => $"could not reach {settings.BaseUrlText}; check {settings.BaseUrlOrigin} and the network",
        _ => "the request timed out; try again, or check the network",
    };

    /// <summary>One line of the block; the value may hold the gateway's text, so its control characters are replaced.</summary>
    private static void Field(StringBuilder text, string name, string? value)
    {
        if (value is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {name,-11} {Secrets.Printable(value)}").AppendLine();
        }
    }
}
