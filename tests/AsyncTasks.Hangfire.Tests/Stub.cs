using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AsyncTasks.Benchmarks.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AsyncTasks.Hangfire.Tests;

/// <summary>One answer of the stub: status, body, and the Retry-After header if any.</summary>
internal sealed record Answer(int Status, byte[] Body, string? RetryAfter = null);

/// <summary>
/// The in-process WireMock.Net stub on 127.0.0.1: each task gets a scenario that gives its answers in order, the
/// last one forever. Tasks are told apart by a unique id in their URL.
/// </summary>
internal sealed class Stub : IDisposable
{
    public const string ApiKey = "tracking-test-key-5f0c1d2e";

    private readonly WireMockServer _server;

    private Stub(WireMockServer server, Uri url)
    {
        _server = server;
        Url = url;
    }

    public Uri Url { get; }

    public static Stub Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"] });
        return new Stub(server, new Uri($"http://127.0.0.1:{port}/"));
    }

    public void Reset() => _server.Reset();

    /// <summary>Answers requests whose URL contains <paramref name="unique"/> with <paramref name="answers"/> in order.</summary>
    public void Sequence(string unique, params Answer[] answers)
    {
        for (var i = 0; i < answers.Length; i++)
        {
            var given = _server.Given(Request.Create().WithUrl($"*{unique}*")).InScenario(unique);
            if (i > 0)
            {
                given = given.WhenStateIs($"step-{i}");
            }

            if (i < answers.Length - 1)
            {
                given = given.WillSetStateTo($"step-{i + 1}");
            }

            var response = Response.Create().WithStatusCode(answers[i].Status).WithHeader("Content-Type", "application/json").WithBody(answers[i].Body);
            if (answers[i].RetryAfter is { } retryAfter)
            {
                response = response.WithHeader("Retry-After", retryAfter);
            }

            given.RespondWith(response);
        }
    }

    /// <summary>When each request for <paramref name="unique"/> arrived, in order.</summary>
    public IReadOnlyList<DateTime> Requests(string unique) =>
        [.. _server.LogEntries
            .Where(e => e.RequestMessage?.Url?.Contains(unique, StringComparison.Ordinal) == true)
            .Select(e => e.RequestMessage!.DateTime)
            .Order()];

    /// <summary>Every request's headers and URL, as text (to look for the key where it must not be).</summary>
    public IEnumerable<string> Headers(string name) =>
        _server.LogEntries.SelectMany(e =>
            e.RequestMessage?.Headers is { } headers && headers.TryGetValue(name, out var values) ? values.ToArray() : []);

    public void Dispose() => _server.Stop();
}

/// <summary>A provider's task through the documented examples of its spec: first state, running, final.</summary>
internal sealed record ProviderFlow(Provider Provider, string Spec, string[] Steps)
{
    /// <summary>
    /// Queued → running → succeeded. SkyEngine has no queued state (an operation is running until done); Kexiang's spec
    /// has no running example, so its pending one with <c>task_status</c> "running" (seen from the gateway) stands in.
    /// </summary>
    public static IReadOnlyList<ProviderFlow> All { get; } =
    [
        new(Provider.Mountsea, "mountsea.yaml", ["pending", "processing", "videoCompleted"]),
        new(Provider.Duomi, "duomi.yaml", ["pending", "running", "succeeded"]),
        new(Provider.Kexiang, "kexiang.yaml", ["pending", KexiangRunning, "success"]),
        new(Provider.TencentVod, "tencent-vod.yaml", ["waiting", "processing", "videoFinished"]),
        new(Provider.SkyEngine, "skyengine.yaml", ["running", "running", "doneVertexShape"]),
    ];

    private const string KexiangRunning = "pending with task_status running";

    public static ProviderFlow Of(Provider provider) => All.Single(f => f.Provider == provider);

    /// <summary>A task of this provider with a fresh unique id (for SkyEngine, inside an operation name).</summary>
    public (TaskRef Task, string Unique) NewTask()
    {
        var unique = "t" + Guid.NewGuid().ToString("N");
        var id = Provider == Provider.SkyEngine
            ? $"projects/p-1/locations/us-central1/publishers/google/models/veo-3/operations/{unique}"
            : unique;
        return (new TaskRef(Provider, id), unique);
    }

    public Answer Example(string name, int status = 200)
    {
        if (name == KexiangRunning)
        {
            var pending = JsonNode.Parse(SpecExamples.ResponseBody(Spec, "pending"))!;
            pending["task_status"] = "running";
            return new(status, System.Text.Encoding.UTF8.GetBytes(pending.ToJsonString()));
        }

        return new(status, SpecExamples.ResponseBody(Spec, name, status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    public Answer[] Answers => [.. Steps.Select(s => Example(s))];
}
