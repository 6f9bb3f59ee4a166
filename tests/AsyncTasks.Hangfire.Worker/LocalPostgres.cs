using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AsyncTasks.Hangfire.Worker;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for tests and benchmarks: initdb into a temporary folder, started with pg_ctl on
/// a free loopback port, stopped and deleted by <see cref="Dispose"/>. PostgreSQL refuses to run as root, so as root
/// its commands run as the <c>postgres</c> user (runuser).
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly string _folder;
    private bool _running;

    private LocalPostgres(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The cluster's data folder (its postmaster.pid names the server process).</summary>
    public string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>The server's log file (read it when the server fails).</summary>
    public string LogFile => Path.Combine(_folder, "server.log");

    /// <summary>
    /// Connection string of database <paramref name="database"/> as the postgres superuser (trust authentication on
    /// loopback), with README's Npgsql settings for Hangfire (no session reset on return to the pool, statements
    /// prepared automatically): they halved PostgreSQL's CPU per poll in the tracking benchmark.
    /// </summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50;Timeout=15;No Reset On Close=true;Max Auto Prepare=50;Auto Prepare Min Usages=2";

    /// <summary>Creates and starts the cluster; fails with what to install when the binaries are missing.</summary>
    public static LocalPostgres Start()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")) || !File.Exists(Path.Combine(BinDirectory, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({BinDirectory}/initdb and pg_ctl are missing): the tracking tests and benchmark " +
                "need a real PostgreSQL. Install it (Debian/Ubuntu: apt-get install postgresql-15); .ci/run does.");
        }

        var folder = Directory.CreateTempSubdirectory("asynctasks-pg-").FullName;
        var server = new LocalPostgres(folder, FreePort());
        try
        {
            // The postgres user writes the data folder, the socket and the log here.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
            }

            var data = Path.Combine(folder, "data");
            Run("initdb", $"-D {data} -U postgres -A trust -E UTF8 --no-sync --no-instructions");
            server._running = true;
            Run(
                "pg_ctl",
                $"-D {data} -l {server.LogFile} -w -t 60 -o \"-p {server.Port} -h 127.0.0.1 -k {folder} -F -c synchronous_commit=off -c max_connections=300 -c full_page_writes=off -c shared_preload_libraries=pg_stat_statements\" start");
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server (immediate mode: nothing in it is kept) and deletes its folder.</summary>
    public void Dispose()
    {
        try
        {
            if (_running)
            {
                _running = false;
                Run("pg_ctl", $"-D {Path.Combine(_folder, "data")} -m immediate -w -t 30 stop");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a dying server process: the temporary folder is left to the system.
            }
        }
    }

    private static void Run(string tool, string arguments)
    {
        var path = Path.Combine(BinDirectory, tool);
        var asRoot = Environment.UserName == "root";
        var start = asRoot
            ? new ProcessStartInfo("runuser", $"-u postgres -- {path} {arguments}")
            : new ProcessStartInfo(path, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = "/tmp";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} did not finish within 90 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {arguments} failed with exit code {process.ExitCode}: {error.Result}{output.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
