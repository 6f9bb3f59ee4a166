using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>
/// The WireMock standalone jar run by Java on 127.0.0.1 and a free port (the same jar the tests use), with the
/// request journal off so a long run does not grow it. Java runs under a /bin/sh watchdog that kills it when this
/// process's pipe closes, so even a killed benchmark leaves no Java behind. <see cref="Dispose"/> stops it.
/// </summary>
public sealed partial class WireMockProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _root;
    private readonly HttpClient _admin;

    private WireMockProcess(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        _admin = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseUri { get; }

    /// <summary>CPU time used so far by the Java process (not the watchdog shell).</summary>
    public TimeSpan ServerProcessorTime
    {
        get
        {
            try
            {
                var children = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children")
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var total = TimeSpan.Zero;
                foreach (var child in children)
                {
                    using var java = Process.GetProcessById(int.Parse(child, CultureInfo.InvariantCulture));
                    total += java.TotalProcessorTime;
                }

                return total;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                return TimeSpan.Zero;
            }
        }
    }

    public static WireMockProcess Start(int containerThreads = 100)
    {
        var jar = Repository.WireMockJar;
        if (!File.Exists(jar))
        {
            throw new InvalidOperationException($"The WireMock jar is missing ({jar}): run `dotnet build` first (it runs npm ci in build/).");
        }

        var root = Directory.CreateTempSubdirectory("asynctasks-bench-wiremock-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "mappings"));
        Directory.CreateDirectory(Path.Combine(root, "__files"));
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = root,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("""exec 3<&0; "$0" "$@" </dev/null & child=$!; (cat <&3 >/dev/null; kill $child 2>/dev/null) & wait $child""");
        startInfo.ArgumentList.Add("java");
        foreach (var argument in new[]
                 {
                     "-jar", jar, "--port", "0", "--bind-address", "127.0.0.1", "--disable-banner", "--root-dir", root,
                     "--no-request-journal", "--container-threads", containerThreads.ToString(CultureInfo.InvariantCulture),
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
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
                port.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => port.TrySetException(new InvalidOperationException("WireMock exited during start."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        WireMockProcess? server = null;
        try
        {
            if (!port.Task.Wait(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException("WireMock did not print its port within 60 s.");
            }

            server = new WireMockProcess(process, root, port.Task.Result);
            server.WaitUntilHealthy();
            return server;
        }
        catch (Exception ex)
        {
            if (server is not null)
            {
                server.Dispose();
            }
            else
            {
                Kill(process);
                TryDelete(root);
            }

            string printed;
            lock (output)
            {
                printed = output.ToString();
            }

            throw new InvalidOperationException($"WireMock did not start ({ex.GetBaseException().Message}). Java 17+ is needed. Output:\n{printed}", ex);
        }
    }

    /// <summary>Serves <paramref name="body"/> as JSON to every GET whose path matches <paramref name="urlPathPattern"/>.</summary>
    public async Task StubJsonAsync(string urlPathPattern, byte[] body)
    {
        var mapping = new JsonObject
        {
            ["request"] = new JsonObject { ["method"] = "GET", ["urlPathPattern"] = urlPathPattern },
            ["response"] = new JsonObject
            {
                ["status"] = 200,
                ["body"] = Encoding.UTF8.GetString(body),
                ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
            },
        };
        using var content = new StringContent(mapping.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _admin.PostAsync(new Uri("__admin/mappings", UriKind.Relative), content).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        _admin.Dispose();
        Kill(_process);
        TryDelete(_root);
    }

    private void WaitUntilHealthy()
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var response = _admin.GetAsync(new Uri("__admin/health", UriKind.Relative)).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException("WireMock did not report healthy within 60 s.");
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
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
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"^\s*port:\s+(\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex PortLine();
}
