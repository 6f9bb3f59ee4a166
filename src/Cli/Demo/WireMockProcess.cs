using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AsyncTasks.Cli.Demo;

/// <summary>
/// A WireMock standalone server (Java) for the demo, on 127.0.0.1 and a free port, loaded with mapping files
/// written into a temporary root folder before it starts. <see cref="DisposeAsync"/> kills it and deletes the
/// folder; so does the end of the process. On Unix java runs under a tiny shell watchdog that kills it when this
/// process's pipe to it closes, so even a killed <c>asynctasks</c> leaves no java behind.
/// </summary>
internal sealed partial class WireMockProcess : IAsyncDisposable
{
    private const string WatchdogShell = "/bin/sh";
    private readonly Process process;
    private readonly string root;
    private readonly StringBuilder output;
    private readonly EventHandler onProcessExit;
    private int disposed;

    private WireMockProcess(Process process, string root, StringBuilder output, int port, string jar)
    {
        this.process = process;
        this.root = root;
        this.output = output;
        Port = port;
        Jar = jar;
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        onProcessExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += onProcessExit;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The jar it runs.</summary>
    public string Jar { get; }

    /// <summary>What WireMock printed so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The id of the process started (the watchdog shell on Unix, java elsewhere).</summary>
    public int ProcessId => process.Id;

    /// <summary>
    /// Finds the jar: <c>ASYNCTASKS_WIREMOCK_JAR</c>, else <c>wiremock/wiremock-standalone-*.jar</c> next to the program
    /// (the build copies it there and the tool package ships it), else build/node_modules of a repository above it.
    /// </summary>
    public static string? FindJar(Func<string, string?> environment)
    {
        if (environment("ASYNCTASKS_WIREMOCK_JAR") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "wiremock");
        if (Directory.Exists(beside)
            && Directory.EnumerateFiles(beside, "wiremock-standalone-*.jar").Order(StringComparer.Ordinal).LastOrDefault() is { } jar)
        {
            return jar;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var installed = Path.Combine(dir.FullName, "build", "node_modules", "wiremock", "build");
            if (Directory.Exists(installed)
                && Directory.EnumerateFiles(installed, "wiremock-standalone-*.jar").Order(StringComparer.Ordinal).LastOrDefault() is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Finds java: <c>$JAVA_HOME/bin/java</c>, else <c>java</c> on the PATH.</summary>
    public static string? FindJava(Func<string, string?> environment)
    {
        var executable = OperatingSystem.IsWindows() ? "java.exe" : "java";
        if (environment("JAVA_HOME") is { Length: > 0 } home && Path.Combine(home, "bin", executable) is var candidate && File.Exists(candidate))
        {
            return candidate;
        }

        return (environment("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Starts WireMock with <paramref name="mappings"/> and waits until it answers its health check.</summary>
    public static async Task<WireMockProcess> StartAsync(
        string java,
        string jar,
        IEnumerable<JsonObject> mappings,
        TimeSpan startupTimeout,
        CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("asynctasks-demo-wiremock-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "__files"));
        var mappingDirectory = Directory.CreateDirectory(Path.Combine(root, "mappings")).FullName;
        var document = new JsonObject { ["mappings"] = new JsonArray([.. mappings]) };
        await File.WriteAllTextAsync(Path.Combine(mappingDirectory, "demo.json"), document.ToJsonString(), cancellationToken).ConfigureAwait(false);

        var startInfo = CreateStartInfo(java, root, [
            // A small, quick-starting JVM: the demo serves a few dozen requests.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xss512k",
            "-jar", jar,
            "--port", "0",
            "--bind-address", "127.0.0.1",
            "--disable-banner",
            "--root-dir", root,
        ]);

        var output = new StringBuilder();
        var portFound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (PortLine().Match(e.Data) is { Success: true } match)
            {
                portFound.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => portFound.TrySetException(new InvalidOperationException("WireMock exited while starting."));
        try
        {
            process.Start();
        }
        catch (Exception exception) when (exception is Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            TryDelete(root);
            throw new UsageException($"could not run Java ({java}): {exception.Message}. The demo needs Java 17 or later (`java -version`).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        WireMockProcess? server = null;
        try
        {
            var started = Stopwatch.StartNew();
            var port = await portFound.Task.WaitAsync(startupTimeout, cancellationToken).ConfigureAwait(false);
            server = new WireMockProcess(process, root, output, port, jar);
            await server.WaitUntilHealthyAsync(startupTimeout - started.Elapsed, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string printed;
            lock (output)
            {
                printed = output.ToString().Trim();
            }

            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                KillAndForget(process);
                TryDelete(root);
            }

            var cause = exception is TimeoutException ? $"it did not start within {Duration.Format(startupTimeout)}" : exception.Message;
            throw new UsageException(
                $"WireMock ({jar}) did not start: {cause}. The demo needs Java 17 or later (`java -version`). WireMock said: {Tail(printed)}");
        }
        catch
        {
            // Interrupted while starting: leave nothing behind.
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                KillAndForget(process);
                TryDelete(root);
            }

            throw;
        }
    }

    /// <summary>How many requests WireMock served.</summary>
    public async Task<int?> CountRequestsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = CreateAdminClient();
            var journal = JsonNode.Parse(await client.GetStringAsync(new Uri(BaseUri, "__admin/requests?limit=1"), cancellationToken).ConfigureAwait(false));
            return (int?)journal?["meta"]?["total"];
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Stops WireMock (kills the process tree) and deletes its folder. Safe to call twice.</summary>
    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    private void Kill()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= onProcessExit;
        KillAndForget(process);
        TryDelete(root);
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = CreateAdminClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (HasExited)
            {
                throw new InvalidOperationException("WireMock exited while starting.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseUri, "__admin/health"), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One slow answer; try again.
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException("WireMock did not report healthy.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    private static HttpClient CreateAdminClient() =>
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }, disposeHandler: true)
        {
            Timeout = TimeSpan.FromSeconds(5),
        };

    private static ProcessStartInfo CreateStartInfo(string java, string workingDirectory, IReadOnlyList<string> javaArguments)
    {
        var useWatchdog = !OperatingSystem.IsWindows() && File.Exists(WatchdogShell);
        var startInfo = new ProcessStartInfo(useWatchdog ? WatchdogShell : java)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
            WorkingDirectory = workingDirectory,
        };
        if (useWatchdog)
        {
            // $0 is java, "$@" its arguments; the watcher reads our pipe (fd 3) and kills java when it closes.
            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add("""exec 3<&0; "$0" "$@" </dev/null & child=$!; (cat <&3 >/dev/null; kill $child 2>/dev/null) & wait $child""");
            startInfo.ArgumentList.Add(java);
        }

        foreach (var argument in javaArguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static void KillAndForget(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone, or never started.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A temporary folder; the OS cleans it up eventually.
        }
    }

    private static string Tail(string text) =>
        text.Length == 0 ? "(nothing)" : text.Length <= 600 ? text.ReplaceLineEndings(" | ") : "…" + text[^600..].ReplaceLineEndings(" | ");

    [GeneratedRegex(@"^\s*port:\s+(\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex PortLine();
}
