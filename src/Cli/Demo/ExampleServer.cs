using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AsyncTasks.Cli.Demo;

/// <summary>
/// WireMock.Net in this process on 127.0.0.1 and a free port, serving the response examples the specs document:
/// the one place that turns those examples into stubs, for the demo and the benchmarks.
/// </summary>
internal sealed class ExampleServer : IDisposable
{
    private const string FirstState = "Started";

    private readonly WireMockServer server;

    /// <summary>Starts the server; no admin interface, no log output.</summary>
    /// <param name="keepRequestLog">Whether to keep the log of requests (off for long benchmark runs, so it does not grow).</param>
    /// <param name="compressWhenAsked">Whether to compress answers for a client that accepts gzip or Brotli, as gateways do.</param>
    public ExampleServer(bool keepRequestLog = true, bool compressWhenAsked = false)
    {
        server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = ["http://127.0.0.1:0"],
            StartAdminInterface = false,
            Logger = new WireMockNullLogger(),
            MaxRequestLogCount = keepRequestLog ? null : 0,
            AdditionalServiceRegistration = compressWhenAsked ? services => ((IServiceCollection)services).AddResponseCompression() : null,
            PreWireMockMiddlewareInit = compressWhenAsked ? app => ((IApplicationBuilder)app).UseResponseCompression() : null,
        });
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{server.Ports[0]}/"));
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>How many requests it has answered (0 when the log is off).</summary>
    public int RequestsServed => server.LogEntries.Count;

    /// <summary>
    /// Answers GET on the example request of <paramref name="operation"/> with <paramref name="bodies"/> in turn, as
    /// JSON with HTTP 200: each request gets the next body, and the last body repeats.
    /// </summary>
    /// <param name="operation">The spec's GET operation; its path and query examples are what the stubs match.</param>
    /// <param name="bodies">The bodies in order, e.g. from <see cref="SpecGetOperation.Example200"/>.</param>
    /// <param name="scenario">A name for the sequence, unique on this server.</param>
    public void ServeInTurn(SpecGetOperation operation, IReadOnlyList<JsonNode> bodies, string scenario)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(bodies);
        for (var i = 0; i < bodies.Count; i++)
        {
            var request = Request.Create().UsingGet().WithPath(Uri.UnescapeDataString(operation.ExamplePath));
            foreach (var (name, value) in operation.ExampleQuery)
            {
                request = request.WithParam(name, value);
            }

            var state = i == 0 ? FirstState : Step(i);
            server.Given(request)
                .InScenario(scenario)
                .WhenStateIs(state)
                .WillSetStateTo(i < bodies.Count - 1 ? Step(i + 1) : state)
                .RespondWith(Response.Create()
                    .WithStatusCode(200)
                    .WithHeader("Content-Type", "application/json")
                    .WithBody(bodies[i].ToJsonString()));
        }

        server.SetScenarioState(scenario, FirstState);
    }

    /// <summary>Answers every GET whose path matches the regular expression <paramref name="pathPattern"/> with <paramref name="body"/>, as JSON.</summary>
    public void ServeAlways(string pathPattern, string body) =>
        server.Given(Request.Create().UsingGet().WithPath(new WireMock.Matchers.RegexMatcher(pathPattern)))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));

    /// <summary>Stops the server: nothing listens on its port afterwards.</summary>
    public void Dispose()
    {
        server.Stop();
        server.Dispose();
    }

    private static string Step(int i) => "step-" + i.ToString(CultureInfo.InvariantCulture);
}
