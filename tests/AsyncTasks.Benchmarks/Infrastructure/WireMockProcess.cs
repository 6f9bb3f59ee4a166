using System.Diagnostics;
using System.Globalization;
using AsyncTasks.Cli.Demo;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>
/// WireMock.Net in a child process (this program with <c>child wiremock THREADS</c>, serving through the demo's
/// <see cref="ExampleServer"/>) on 127.0.0.1 and a free port, with the request log off so a long run does not grow
/// it. A process of its own so that its CPU time stays out of the client's (<see cref="ServerProcessorTime"/>).
/// The child ends when its standard input closes, so even a killed benchmark leaves no server behind;
/// <see cref="Dispose"/> stops it.
/// </summary>
public sealed class WireMockProcess : IDisposable
{
    private readonly Process _process;

    private WireMockProcess(Process process, int port)
    {
        _process = process;
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
    }

    public Uri BaseUri { get; }

    /// <summary>CPU time used so far by the server's process.</summary>
    public TimeSpan ServerProcessorTime
    {
        get
        {
            try
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                return TimeSpan.Zero;
            }
        }
    }

    /// <summary>Starts the server with at least <paramref name="containerThreads"/> pool threads ready (it answers that many pollers at once).</summary>
    public static WireMockProcess Start(int containerThreads = 100)
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            startInfo.ArgumentList.Add(typeof(WireMockProcess).Assembly.Location);
        }

        foreach (var argument in new[] { "child", "wiremock", containerThreads.ToString(CultureInfo.InvariantCulture) })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the WireMock.Net child process.");
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is not { } text || !text.StartsWith("port: ", StringComparison.Ordinal))
        {
            process.Kill();
            process.Dispose();
            throw new InvalidOperationException("The WireMock.Net child process did not print its port within 60 s.");
        }

        return new WireMockProcess(process, int.Parse(text["port: ".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>Serves <paramref name="body"/> as JSON to every GET whose path matches <paramref name="urlPathPattern"/>.</summary>
    public async Task StubJsonAsync(string urlPathPattern, byte[] body)
    {
        await _process.StandardInput.WriteLineAsync(urlPathPattern + "\t" + Convert.ToBase64String(body)).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        if (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) != "stubbed")
        {
            throw new InvalidOperationException("The WireMock.Net child process did not take the stub.");
        }
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>
    /// The child: serves the stubs its parent sends on standard input (<c>PATTERN TAB BASE64-BODY</c>, answered
    /// <c>stubbed</c>), compressing answers when asked, until standard input closes.
    /// </summary>
    public static async Task<int> ChildMainAsync(int threads)
    {
        ThreadPool.GetMinThreads(out _, out var io);
        ThreadPool.SetMinThreads(threads, Math.Max(io, threads));
        using var server = new ExampleServer(keepRequestLog: false, compressWhenAsked: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"port: {server.BaseUri.Port}"));
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var (pattern, body) = line.Split('\t', 2) is [var p, var b] ? (p, b) : throw new FormatException("Expected PATTERN TAB BASE64-BODY.");
            server.ServeAlways(pattern, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(body)));
            Console.WriteLine("stubbed");
        }

        return 0;
    }
}
