using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Settings;
using NetServer = WireMock.Server.WireMockServer;

namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>
/// A WireMock.Net server in this process on 127.0.0.1 and a free port. Use <see cref="Shared"/> (started on first
/// use, stopped by the assembly's set-up fixture) and call <see cref="ResetAsync"/> before each test.
/// </summary>
/// <remarks>
/// It keeps the semantics of WireMock's admin API that the tests were written against: a stub matches the URL as
/// encoded on the wire, the most recently added of equal-priority stubs wins, every scenario starts in
/// <see cref="WireMockStub.ScenarioStarted"/>, and the faults WireMock.Net lacks (connection reset, empty response,
/// random data then close, and a malformed chunk as WireMock sends it) are made on the connection's own socket by a
/// middleware in front of WireMock.Net.
/// </remarks>
internal sealed partial class WireMockServer : IDisposable
{
    /// <summary>The default timeout of the clients made by <see cref="CreateHttpClient"/>.</summary>
    public static readonly TimeSpan DefaultClientTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The request target exactly as sent (path and query, still encoded), copied into a header for matching and the journal.</summary>
    internal const string RawTargetHeader = "X-AsyncTasks-Raw-Target";

    /// <summary>Ties a request of the journal to WireMock.Net's log entry of it.</summary>
    private const string JournalIdHeader = "X-AsyncTasks-Journal-Id";

    /// <summary>Asks the middleware for a fault WireMock.Net cannot make (value: <see cref="WireMockFault"/> name).</summary>
    internal const string FaultHeader = "X-AsyncTasks-Fault";

    /// <summary>Asks the middleware to send the body chunked, without Content-Length.</summary>
    internal const string ChunkedHeader = "X-AsyncTasks-Chunked";

    private static readonly byte[] Garbage = "lskdu018973t09sylgasjkfg1][]'./.sdlv"u8.ToArray();

    private static readonly Lock SharedLock = new();
    private static WireMockServer? shared;

    private readonly NetServer server;
    private readonly HashSet<string> scenarios = new(StringComparer.Ordinal);
    private readonly List<(string Id, LoggedRequest Request)> journal = [];
    private int sequence;
    private int received;
    private int disposed;

    private WireMockServer()
    {
        server = NetServer.Start(new WireMockServerSettings
        {
            Urls = ["http://127.0.0.1:0"],
            StartAdminInterface = false,
            Logger = new WireMockNullLogger(),
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(ReceiveAsync),
        });
        Port = server.Ports[0];
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/"));
    }

    /// <summary>The server shared by the whole test run, started on first use.</summary>
    public static WireMockServer Shared
    {
        get
        {
            lock (SharedLock)
            {
                return shared ??= Start();
            }
        }
    }

    /// <summary>The TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The server root, <c>http://127.0.0.1:PORT/</c> (ends with '/', as the generated clients need).</summary>
    public Uri BaseUri { get; }

    /// <summary>Stops the shared server if it was started. Called once at the end of the run.</summary>
    public static void StopShared()
    {
        lock (SharedLock)
        {
            shared?.Dispose();
            shared = null;
        }
    }

    /// <summary>
    /// Starts a new server; the caller owns (and must dispose) it. One request is served before it is returned, so
    /// the first test does not pay for compiling the request pipeline within its client timeout.
    /// </summary>
    public static WireMockServer Start()
    {
        var server = new WireMockServer();
        server.server.Given(Request.Create().WithPath("/__warm-up")).RespondWith(Response.Create().WithBody("{{request.path}}").WithTransformer());
        using (var http = server.CreateHttpClient())
        {
            http.GetStringAsync(new Uri("__warm-up", UriKind.Relative)).GetAwaiter().GetResult();
        }

        server.ResetAsync().GetAwaiter().GetResult();
        return server;
    }

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

    /// <summary>Removes every stub, empties the request journal and forgets every scenario.</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default)
    {
        lock (scenarios)
        {
            server.Reset();
            scenarios.Clear();
        }

        lock (journal)
        {
            journal.Clear();
        }

        return Task.CompletedTask;
    }

    /// <summary>Registers a stub and returns its id.</summary>
    public Task<Guid> AddStubAsync(WireMockStub stub, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stub);
        var id = Guid.NewGuid();
        var provider = server.Given(stub.ToRequest())
            .WithGuid(id)
            .AtPriority(((stub.Priority ?? 5) * 1_000_000) - Interlocked.Increment(ref sequence));
        if (stub.ScenarioName is { } scenario)
        {
            lock (scenarios)
            {
                if (scenarios.Add(scenario))
                {
                    server.SetScenarioState(scenario, WireMockStub.ScenarioStarted);
                }
            }

            provider = provider.InScenario(scenario);
            if (stub.RequiredScenarioState is { } required)
            {
                provider = provider.WhenStateIs(required);
            }

            // WireMock.Net clears a scenario's state after a match without a next state; WireMock keeps it.
            if ((stub.NewScenarioState ?? stub.RequiredScenarioState) is { } next)
            {
                provider = provider.WillSetStateTo(next);
            }
        }

        provider.RespondWith(stub.Response.ToResponse());
        return Task.FromResult(id);
    }

    /// <summary>The request journal, oldest first.</summary>
    public Task<IReadOnlyList<LoggedRequest>> GetRequestsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Journal(_ => true));

    /// <summary>The requests no stub matched, oldest first.</summary>
    public Task<IReadOnlyList<LoggedRequest>> GetUnmatchedRequestsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Journal(request => !request.WasMatched));

    /// <summary>The current state of a scenario, or <see langword="null"/> if the server does not know it.</summary>
    public Task<string?> GetScenarioStateAsync(string scenarioName, CancellationToken cancellationToken = default) =>
        Task.FromResult(server.Scenarios.FirstOrDefault(s => s.Name == scenarioName)?.NextState);

    /// <summary>Moves a scenario to <paramref name="state"/>.</summary>
    public Task SetScenarioStateAsync(string scenarioName, string state, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scenarioName);
        lock (scenarios)
        {
            scenarios.Add(scenarioName);
            server.SetScenarioState(scenarioName, state);
        }

        return Task.CompletedTask;
    }

    /// <summary>Puts every scenario back to <see cref="WireMockStub.ScenarioStarted"/>.</summary>
    public Task ResetScenariosAsync(CancellationToken cancellationToken = default)
    {
        lock (scenarios)
        {
            server.ResetScenarios();
            foreach (var scenario in scenarios)
            {
                server.SetScenarioState(scenario, WireMockStub.ScenarioStarted);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops the server. Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            server.Stop();
            server.Dispose();
        }
    }

    /// <summary>
    /// The journal: every request as it arrived (WireMock.Net logs one only once answered, after any delay). Whether
    /// a stub matched it comes from WireMock.Net's log; a request not logged yet is one a delayed stub matched.
    /// </summary>
    private IReadOnlyList<LoggedRequest> Journal(Func<LoggedRequest, bool> include)
    {
        var matched = server.LogEntries
            .Where(entry => entry.RequestMessage?.Headers?.ContainsKey(JournalIdHeader) == true)
            .ToDictionary(entry => entry.RequestMessage!.Headers![JournalIdHeader].ToString(), entry => entry.MappingGuid is { } id && id != Guid.Empty, StringComparer.Ordinal);
        lock (journal)
        {
            return [.. journal
                .Select(entry => entry.Request with { WasMatched = matched.GetValueOrDefault(entry.Id, true) })
                .Where(include)];
        }
    }

    /// <summary>
    /// The middleware in front of WireMock.Net: records the request as it arrives, hands WireMock.Net the target as
    /// sent on the wire, and shapes the response as it starts.
    /// </summary>
    private async Task ReceiveAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } target ? target : request.Path + request.QueryString;
        var body = string.Empty;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, leaveOpen: true);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            request.Body.Position = 0;
        }

        var headers = request.Headers.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)[.. h.Value.Select(v => v ?? string.Empty)], StringComparer.OrdinalIgnoreCase);
        var id = Interlocked.Increment(ref received).ToString(CultureInfo.InvariantCulture);
        lock (journal)
        {
            journal.Add((id, new LoggedRequest(request.Method, raw, new Uri(BaseUri, raw).AbsoluteUri, headers, body, WasMatched: true)));
        }

        request.Headers[RawTargetHeader] = raw;
        request.Headers[JournalIdHeader] = id;
        context.Response.OnStarting(() => ShapeResponse(context));
        await next(context).ConfigureAwait(false);
    }

    /// <summary>Runs as the response starts: makes the faults and the chunked delivery WireMock.Net cannot.</summary>
    private static Task ShapeResponse(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (headers.Remove(ChunkedHeader))
        {
            headers.ContentLength = null;
        }

        if (headers.TryGetValue(FaultHeader, out var name) && Enum.TryParse<WireMockFault>(name, out var fault)
            && context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            // What WireMock's own faults send: nothing, a reset, or text that never completes a status line or a chunk.
            switch (fault)
            {
                case WireMockFault.ConnectionResetByPeer:
                    socket.LingerState = new LingerOption(true, 0);
                    break;
                case WireMockFault.RandomDataThenClose:
                    socket.Send(Garbage);
                    socket.Shutdown(SocketShutdown.Both);
                    break;
                case WireMockFault.MalformedResponseChunk:
                    socket.Send([.. "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"u8, .. Garbage]);
                    socket.Shutdown(SocketShutdown.Both);
                    break;
                default:
                    socket.Shutdown(SocketShutdown.Both);
                    break;
            }

            socket.Close();
            context.Abort();
        }

        return Task.CompletedTask;
    }
}
