using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using AsyncTasks.Tests.Infrastructure.Json;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>
/// A real WireMock server (the official standalone jar, run by Java) on 127.0.0.1 and a free port, driven through
/// its admin API. Use <see cref="Shared"/> (started on first use, stopped by <see cref="WireMockSetUpFixture"/>)
/// and call <see cref="ResetAsync"/> before each test.
/// </summary>
/// <remarks>
/// <para>
/// WireMock writes only into a temporary root folder (deleted on stop), never into the repository. The Java
/// process is killed with its process tree on <see cref="Dispose"/>, and also when the test host exits, so a
/// failing run leaves no orphan Java behind.
/// </para>
/// <para>
/// When <see cref="PoolVariable"/> (<c>ASYNCTASKS_WIREMOCK_POOL</c>) lists servers that are already running,
/// <see cref="Shared"/> starts no Java: it leases one of them for the life of the test host (see <see cref="Attach"/>),
/// so a tool that starts a test host per run (mutation testing, <c>build/mutation.sh</c>) does not pay a JVM start
/// each time. A leased server is reset like a started one and is never stopped by this process.
/// </para>
/// </remarks>
internal sealed partial class WireMockServer : IDisposable
{
    /// <summary>The default bound for starting the server (JVM start + health check).</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The timeout of each admin API call.</summary>
    public static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default timeout of the clients made by <see cref="CreateHttpClient"/>.</summary>
    public static readonly TimeSpan DefaultClientTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The environment variable that lists running WireMock servers for <see cref="Shared"/> to lease instead of
    /// starting Java: base URLs <c>http://127.0.0.1:PORT/</c>, separated by commas.
    /// </summary>
    public const string PoolVariable = "ASYNCTASKS_WIREMOCK_POOL";

    /// <summary>The default bound for leasing a pool server while all of them are leased by other test hosts.</summary>
    public static readonly TimeSpan DefaultLeaseTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The bound of the health check of a pool server once leased.</summary>
    private static readonly TimeSpan LeaseHealthTimeout = TimeSpan.FromSeconds(5);

    private const string WatchdogShell = "/bin/sh";

    private static readonly Lock SharedLock = new();
    private static WireMockServer? shared;

    private readonly Process? process;
    private readonly string? rootDirectory;
    private readonly FileStream? lease;
    private readonly HttpClient admin;
    private readonly StringBuilder output;
    private readonly EventHandler processExitHandler;
    private int disposed;

    private WireMockServer(Process process, string rootDirectory, int port, StringBuilder output)
        : this(process, rootDirectory, lease: null, port, output)
    {
    }

    private WireMockServer(FileStream lease, int port, StringBuilder output)
        : this(process: null, rootDirectory: null, lease, port, output)
    {
    }

    private WireMockServer(Process? process, string? rootDirectory, FileStream? lease, int port, StringBuilder output)
    {
        this.process = process;
        this.rootDirectory = rootDirectory;
        this.lease = lease;
        this.output = output;
        Port = port;
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        admin = new HttpClient(CreateHandler(), disposeHandler: true) { BaseAddress = BaseUri, Timeout = AdminTimeout };
        processExitHandler = (_, _) => Dispose();
        AppDomain.CurrentDomain.ProcessExit += processExitHandler;
    }

    /// <summary>
    /// The server shared by the whole test run, started on first use (or restarted if it died); when
    /// <see cref="PoolVariable"/> is set, leased from that pool instead (see <see cref="Attach"/>).
    /// Throws an <see cref="InvalidOperationException"/> saying how to fix it when Java or the jar is missing, or
    /// when the pool is malformed or has no free server.
    /// </summary>
    public static WireMockServer Shared
    {
        get
        {
            lock (SharedLock)
            {
                if (shared is null || shared.HasExited)
                {
                    shared?.Dispose();
                    shared = ParsePool(Environment.GetEnvironmentVariable(PoolVariable)) is { } pool ? Attach(pool) : Start();
                }

                return shared;
            }
        }
    }

    /// <summary>The TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The server root, <c>http://127.0.0.1:PORT/</c> (ends with '/', as the generated clients need).</summary>
    public Uri BaseUri { get; }

    /// <summary>
    /// Whether this is a server of <see cref="PoolVariable"/>, leased rather than started: this process does not own
    /// it and never stops it.
    /// </summary>
    public bool IsLeased => lease is not null;

    /// <summary>
    /// Whether the Java process has ended. Always <see langword="false"/> for a leased server, whose process this
    /// one does not own (its health is checked when it is leased).
    /// </summary>
    public bool HasExited
    {
        get
        {
            if (process is null)
            {
                return false;
            }

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

    /// <summary>What WireMock printed so far (stdout and stderr), for diagnostics; for a leased server, which one it is.</summary>
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

    /// <summary>Stops the shared server if it was started, or gives it back if it was leased. Called once at the end of the run.</summary>
    public static void StopShared()
    {
        lock (SharedLock)
        {
            shared?.Dispose();
            shared = null;
        }
    }

    /// <summary>Starts a new server; the caller owns (and must dispose) it.</summary>
    /// <param name="options">Where Java and the jar are, the start bound and extra options; defaults if omitted.</param>
    public static WireMockServer Start(WireMockServerOptions? options = null)
    {
        options ??= new WireMockServerOptions();
        var jar = options.JarPath ?? RepositoryLayout.WireMockJar;
        if (!File.Exists(jar))
        {
            throw new InvalidOperationException(
                $"The WireMock standalone jar is missing: {jar}. It is installed by npm into build/node_modules: run " +
                "`dotnet build src/Generated` (its first build runs `npm ci` in build/) or `npm ci` in build/ yourself (Node.js 20 with npm needed).");
        }

        var java = (options.JavaExecutable is { } configured ? (File.Exists(configured) ? configured : null) : FindJava()) ?? throw new InvalidOperationException(
            "Java was not found (neither $JAVA_HOME/bin/java nor java on the PATH). The contract tests run the WireMock " +
            "standalone jar and need Java 17 or later: install it (e.g. `apt-get install openjdk-17-jre-headless`) and make sure `java -version` works.");

        var timeout = options.StartupTimeout ?? DefaultStartupTimeout;
        var deadline = Stopwatch.StartNew();
        var root = Directory.CreateTempSubdirectory("asynctasks-wiremock-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "mappings"));
        Directory.CreateDirectory(Path.Combine(root, "__files"));

        var startInfo = CreateStartInfo(java, root, [
            "-jar", jar,
            "--port", "0",
            "--bind-address", "127.0.0.1",
            "--disable-banner",
            "--root-dir", root,
            .. options.ExtraArguments,
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

            var match = PortLine().Match(e.Data);
            if (match.Success)
            {
                portFound.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => portFound.TrySetException(new InvalidOperationException("WireMock exited during start."));

        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"Could not start {java}.");
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            TryDeleteDirectory(root);
            throw new InvalidOperationException(
                $"Could not run Java ({java}): {ex.Message}. Install Java 17 or later and make sure `java -version` works.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        WireMockServer? server = null;
        try
        {
            if (!portFound.Task.Wait(Remaining(timeout, deadline)))
            {
                throw new TimeoutException($"WireMock did not print its port within {timeout.TotalSeconds:0} s.");
            }

            server = new WireMockServer(process, root, portFound.Task.Result, output);
            server.WaitUntilHealthy(timeout, deadline);
            return server;
        }
        catch (Exception ex)
        {
            string printed;
            lock (output)
            {
                printed = output.ToString();
            }

            if (server is not null)
            {
                server.Dispose();
            }
            else
            {
                KillAndForget(process);
                TryDeleteDirectory(root);
            }

            var cause = ex is AggregateException { InnerException: { } inner } ? inner : ex;
            throw new InvalidOperationException(
                $"WireMock ({jar}) did not start: {cause.Message} Java 17 or later is required (`java -version`). Its output:{Environment.NewLine}{printed}",
                cause);
        }
    }

    /// <summary>
    /// Leases one server of <paramref name="pool"/> exclusively, for the life of this process or until
    /// <see cref="Dispose"/>: its lease is an open lock file, <c>asynctasks-wiremock-PORT.lock</c> in the temporary
    /// folder, which no other process can open meanwhile (the system releases it even if this process is killed).
    /// The servers are tried in turn; while all of them are leased, this waits up to <paramref name="leaseTimeout"/>
    /// (<see cref="DefaultLeaseTimeout"/> unless given). The leased server must answer its health check; it is reset
    /// before it is returned, and <see cref="Dispose"/> only gives it back (it keeps running).
    /// Throws an <see cref="InvalidOperationException"/> when no server answers or none became free in time.
    /// </summary>
    /// <param name="pool">Running WireMock servers, <c>http://127.0.0.1:PORT/</c> (see <see cref="ParsePool"/>).</param>
    /// <param name="leaseTimeout">How long to wait while every server is leased by another process.</param>
    public static WireMockServer Attach(IReadOnlyList<Uri> pool, TimeSpan? leaseTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.Count == 0)
        {
            throw new ArgumentException("The pool lists no server.", nameof(pool));
        }

        var timeout = leaseTimeout ?? DefaultLeaseTimeout;
        var waited = Stopwatch.StartNew();
        var unusable = new Dictionary<int, string>();
        var leased = new Dictionary<int, string>();
        while (true)
        {
            foreach (var uri in pool)
            {
                if (unusable.ContainsKey(uri.Port))
                {
                    continue;
                }

                var lockFile = LeaseFile(uri.Port);
                FileStream lockStream;
                try
                {
                    lockStream = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException ex)
                {
                    leased[uri.Port] = ex.Message;
                    continue;
                }
                catch (UnauthorizedAccessException ex)
                {
                    unusable[uri.Port] = $"its lease file {lockFile} cannot be opened: {ex.Message}";
                    continue;
                }

                var server = new WireMockServer(lockStream, uri.Port, new StringBuilder(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Leased from {PoolVariable}: the WireMock already running at {uri} (lease file {lockFile}, held by process {Environment.ProcessId}).{Environment.NewLine}")));
                try
                {
                    server.WriteLeaseOwner();
                    server.WaitUntilHealthy(LeaseHealthTimeout, Stopwatch.StartNew());
                    server.ResetAsync().GetAwaiter().GetResult();
                    return server;
                }
                catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException or OperationCanceledException or IOException)
                {
                    server.Dispose();
                    unusable[uri.Port] = $"it does not answer: {ex.Message.TrimEnd('.')}";
                }
            }

            if (unusable.Count == pool.Count)
            {
                throw new InvalidOperationException(
                    $"No WireMock server of {PoolVariable} can be used: {Describe(pool, unusable)}. Start them again (e.g. run build/mutation.sh, " +
                    $"which starts its own), or unset {PoolVariable} to let the tests start WireMock themselves.");
            }

            if (waited.Elapsed >= timeout)
            {
                throw new InvalidOperationException(
                    $"Every WireMock server of {PoolVariable} stayed leased by other test processes for {timeout.TotalSeconds:0} s: " +
                    $"{Describe(pool, unusable.Concat(leased.Where(l => !unusable.ContainsKey(l.Key))).ToDictionary())}. " +
                    "List at least as many servers as test processes run at once (the Stryker concurrency).");
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(200));
        }

        static string Describe(IReadOnlyList<Uri> pool, Dictionary<int, string> problems) =>
            string.Join("; ", pool.Where(u => problems.ContainsKey(u.Port)).Select(u => $"{u}: {problems[u.Port]}"));
    }

    /// <summary>
    /// Reads the value of <see cref="PoolVariable"/>: <see langword="null"/> when it is unset or blank, else its base
    /// URLs (comma-separated, each <c>http://127.0.0.1:PORT/</c>, duplicates dropped). Throws an
    /// <see cref="InvalidOperationException"/> naming the first entry that is not such a URL: only servers on this
    /// machine's loopback may be attached, and on 127.0.0.1 because the tests use <c>localhost</c> as a second origin.
    /// </summary>
    public static IReadOnlyList<Uri>? ParsePool(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var pool = new List<Uri>();
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var problem = !Uri.TryCreate(entry, UriKind.Absolute, out var uri) ? "not an absolute URL"
                : uri.Scheme != Uri.UriSchemeHttp ? "not http"
                : !uri.IsLoopback ? "not on this machine's loopback; only a local WireMock may be attached"
                : uri.Host != "127.0.0.1" ? "use the host 127.0.0.1; the tests use localhost as another origin of the same server"
                : uri.IsDefaultPort ? "no port"
                : uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 ? "more than a server root"
                : null;
            if (problem is not null)
            {
                throw new InvalidOperationException(
                    $"{PoolVariable} must list running WireMock servers as http://127.0.0.1:PORT/, separated by commas; '{entry}' is {problem}.");
            }

            var root = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{uri!.Port}/"));
            if (!pool.Contains(root))
            {
                pool.Add(root);
            }
        }

        return pool.Count > 0 ? pool : null;
    }

    /// <summary>
    /// The lock file whose open handle is the lease of the pool server on <paramref name="port"/>. It stays when the
    /// lease is given back (deleting it could let two processes lease the same server); whoever ran the pool removes it.
    /// </summary>
    public static string LeaseFile(int port) =>
        Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"asynctasks-wiremock-{port}.lock"));

    /// <summary>
    /// A handler that never uses a proxy (HTTP_PROXY and the like would otherwise send test traffic elsewhere).
    /// Redirects are followed unless <paramref name="allowAutoRedirect"/> is false.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowAutoRedirect = true) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = allowAutoRedirect,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    };

    /// <summary>
    /// A client for the stubs: <see cref="HttpClient.BaseAddress"/> is <see cref="BaseUri"/>, no proxy, and a timeout
    /// (<see cref="DefaultClientTimeout"/> unless given). The caller disposes it.
    /// </summary>
    public HttpClient CreateHttpClient(TimeSpan? timeout = null, bool allowAutoRedirect = true) =>
        new(CreateHandler(allowAutoRedirect), disposeHandler: true)
        {
            BaseAddress = BaseUri,
            Timeout = timeout ?? DefaultClientTimeout,
        };

    /// <summary>Removes every stub, empties the request journal and resets all scenarios (<c>POST /__admin/reset</c>).</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        using var response = await admin.PostAsync(new Uri("__admin/reset", UriKind.Relative), null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "reset", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers a stub (<c>POST /__admin/mappings</c>) and returns its id.</summary>
    public Task<Guid> AddStubAsync(WireMockStub stub, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stub);
        return AddMappingAsync(stub.ToJson(), cancellationToken);
    }

    /// <summary>Registers a raw WireMock mapping (for options the builders lack) and returns its id.</summary>
    public async Task<Guid> AddMappingAsync(JObject mapping, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        using var content = new StringContent(JsonText.Compact(mapping), Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync(new Uri("__admin/mappings", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await EnsureSuccessAsync(response, "add a stub", cancellationToken).ConfigureAwait(false);
        return Guid.Parse((string?)JsonText.Parse(body)["id"] ?? throw new FormatException($"WireMock returned no stub id: {body}"), CultureInfo.InvariantCulture);
    }

    /// <summary>The request journal, oldest first.</summary>
    public async Task<IReadOnlyList<LoggedRequest>> GetRequestsAsync(CancellationToken cancellationToken = default)
    {
        var journal = await GetJsonAsync("__admin/requests", cancellationToken).ConfigureAwait(false);
        return ReadJournal(journal["requests"]);
    }

    /// <summary>The requests no stub matched, oldest first.</summary>
    public async Task<IReadOnlyList<LoggedRequest>> GetUnmatchedRequestsAsync(CancellationToken cancellationToken = default)
    {
        var journal = await GetJsonAsync("__admin/requests/unmatched", cancellationToken).ConfigureAwait(false);
        return ReadJournal(journal["requests"]);
    }

    /// <summary>The current state of a scenario, or <see langword="null"/> if WireMock does not know it.</summary>
    public async Task<string?> GetScenarioStateAsync(string scenarioName, CancellationToken cancellationToken = default)
    {
        var scenarios = await GetJsonAsync("__admin/scenarios", cancellationToken).ConfigureAwait(false);
        return scenarios["scenarios"]?
            .OfType<JObject>()
            .Where(s => (string?)s["name"] == scenarioName)
            .Select(s => (string?)s["state"])
            .FirstOrDefault();
    }

    /// <summary>Moves a scenario to <paramref name="state"/> (<c>PUT /__admin/scenarios/{name}/state</c>).</summary>
    public async Task SetScenarioStateAsync(string scenarioName, string state, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scenarioName);
        using var content = new StringContent(JsonText.Compact(new JObject { ["state"] = state }), Encoding.UTF8, "application/json");
        using var response = await admin.PutAsync(
            new Uri($"__admin/scenarios/{Uri.EscapeDataString(scenarioName)}/state", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"set the state of scenario '{scenarioName}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts every scenario back to <see cref="WireMockStub.ScenarioStarted"/> (<c>POST /__admin/scenarios/reset</c>).</summary>
    public async Task ResetScenariosAsync(CancellationToken cancellationToken = default)
    {
        using var response = await admin.PostAsync(new Uri("__admin/scenarios/reset", UriKind.Relative), null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "reset scenarios", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Kills the Java process tree and deletes the temporary root folder; a leased server is only given back (it keeps
    /// running). Safe to call twice.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= processExitHandler;
        admin.Dispose();
        if (process is not null)
        {
            KillAndForget(process);
        }

        if (rootDirectory is not null)
        {
            TryDeleteDirectory(rootDirectory);
        }

        lease?.Dispose();
    }

    /// <summary>Writes this process id into the lease file, for whoever wonders who holds it.</summary>
    private void WriteLeaseOwner()
    {
        var text = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}{Environment.NewLine}"));
        lease!.SetLength(0);
        lease.Write(text);
        lease.Flush();
    }

    private static IReadOnlyList<LoggedRequest> ReadJournal(JToken? requests) =>
        requests is JArray array
            ? [.. array.OfType<JObject>().Select(LoggedRequest.FromJournalEntry).Reverse()]
            : throw new FormatException("WireMock's journal has no 'requests' array.");

    private async Task<JToken> GetJsonAsync(string relative, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(relative, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await admin.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return JsonText.Parse(await EnsureSuccessAsync(response, $"GET /{relative}", cancellationToken).ConfigureAwait(false));
    }

    private static async Task<string> EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"WireMock admin API could not {what}: HTTP {(int)response.StatusCode} {body}"));
        }

        return body;
    }

    private void WaitUntilHealthy(TimeSpan timeout, Stopwatch deadline)
    {
        Exception? last = null;
        while (deadline.Elapsed < timeout)
        {
            if (HasExited)
            {
                throw new InvalidOperationException("WireMock exited during start.");
            }

            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = admin.GetAsync(new Uri("__admin/health", UriKind.Relative), cts.Token).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = new HttpRequestException($"health answered {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                last = ex;
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"WireMock did not report healthy within {timeout.TotalSeconds:0} s ({last?.Message}).", last);
    }

    private static TimeSpan Remaining(TimeSpan timeout, Stopwatch elapsed)
    {
        var remaining = timeout - elapsed.Elapsed;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    /// <summary>
    /// Runs java directly on Windows. Elsewhere it runs java under a tiny /bin/sh watchdog that kills it when its
    /// standard input (a pipe from this process) closes: even if the test host is killed outright and neither
    /// OneTimeTearDown nor ProcessExit runs, the kernel closes the pipe and no orphan java survives. Once java has
    /// ended, the watchdog also removes the server's temporary folder (<paramref name="workingDirectory"/>), which
    /// a killed test host would otherwise leave behind.
    /// </summary>
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
            // $0 is the folder to remove at the end, $1 java, the rest its arguments. Background jobs of a
            // non-interactive shell read /dev/null, so the watcher reads the real stdin through fd 3; java's exit
            // status becomes the shell's.
            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add("""exec 3<&0; java=$1; shift; "$java" "$@" </dev/null & child=$!; (cat <&3 >/dev/null; kill $child 2>/dev/null) & wait $child; status=$?; cd / && rm -rf -- "$0"; exit $status""");
            startInfo.ArgumentList.Add(workingDirectory);
            startInfo.ArgumentList.Add(java);
        }

        foreach (var argument in javaArguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static string? FindJava()
    {
        var executable = OperatingSystem.IsWindows() ? "java.exe" : "java";
        var javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        if (!string.IsNullOrWhiteSpace(javaHome))
        {
            var candidate = Path.Combine(javaHome, "bin", executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists);
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
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone, or never started.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temporary folder; the OS cleans it up eventually.
        }
    }

    [GeneratedRegex(@"^\s*port:\s+(\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex PortLine();
}
