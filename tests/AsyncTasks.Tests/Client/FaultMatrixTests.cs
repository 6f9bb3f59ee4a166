using System.Diagnostics;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// Every way a read can go wrong, for every provider: each ends in a <see cref="TaskClientException"/> of the right
/// kind, with the HTTP status and the request id, a message naming provider, status and request id, the right
/// number of attempts (transient failures retried <see cref="RetryOptions.MaxRetries"/> times, others not), no raw
/// JSON/HTTP exception, no hang and no key anywhere.
/// </summary>
[TestFixture]
internal sealed class FaultMatrixTests : ClientTestBase
{
    private const int MaxRetries = 2;
    private const string RequestId = "req-fault-42";

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(7);

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var provider in ProviderCase.All)
        {
            foreach (var fault in Fault.All)
            {
                yield return new TestCaseData(provider, fault).SetArgDisplayNames(provider.Name, fault.Name);
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task AFaultGivesATypedErrorWithTheRightAttemptsAndNoKey(ProviderCase provider, Fault fault)
    {
        // Arrange
        await StubReadAsync(provider, fault.Response(provider));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(
            CreateOptions(o =>
            {
                o.Retry.MaxRetries = MaxRetries;
                o.RequestTimeout = TimeSpan.FromSeconds(1);
            }),
            transport);
        var stopwatch = Stopwatch.StartNew();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        stopwatch.Stop();
        var attempts = await ReadsAsync(provider);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(fault.Kind));
            Assert.That(exception.Provider, Is.EqualTo(provider.Provider));
            Assert.That(exception.HttpStatus, Is.EqualTo(fault.HttpStatus));
            Assert.That(exception.IsTransient, Is.EqualTo(fault.Kind is not TaskErrorKind.Authentication and not TaskErrorKind.NotFound and not TaskErrorKind.Protocol));
            Assert.That(exception.Message, Does.StartWith(provider.Name + ": "));
            Assert.That(exception.Message, Does.Contain("kind " + fault.Kind));
            if (fault.HttpStatus is { } status)
            {
                Assert.That(exception.Message, Does.Contain("HTTP " + status));
            }

            if (fault.HasRequestId)
            {
                Assert.That(exception.RequestId, Is.EqualTo(RequestId));
                Assert.That(exception.Message, Does.Contain("request id " + RequestId));
            }

            Assert.That(exception.Message, Does.Contain(fault.Says), "what happened, in words");
            Assert.That(exception.Message, Does.Not.Contain("<html").And.Not.Contain("Bad Gateway</h1>"), "no response body in the message");
            Assert.That(transport.Sent, Has.Count.EqualTo(fault.Retried ? 1 + MaxRetries : 1), "attempts sent by the client");
            if (fault.WireMayRepeat)
            {
                // .NET resends a request by itself when a connection closes before any answer.
                Assert.That(attempts, Has.Count.GreaterThanOrEqualTo(transport.Sent.Count), "attempts in the journal");
            }
            else
            {
                Assert.That(attempts, Has.Count.EqualTo(transport.Sent.Count), "attempts in the journal");
            }

            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(fault.Retried ? MaxRetries : 0), "retry delays on the fake clock");
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(fault.Kind == TaskErrorKind.Timeout ? 2.5 : 1.5)), "real time: no sleeping, no hang");
            Assert.That(attempts.Select(a => a.Header(provider.KeyHeader)), Is.All.EqualTo(provider.KeyPrefix + provider.ApiKey));
        }

        AssertNotRaw(exception);
        AssertNoKey(exception);
        AssertNoKeyInLogs();
    }

    [TestCaseSource(typeof(ProviderCase), nameof(ProviderCase.All))]
    public async Task RetryAfterOn429IsWaitedOnTheClientsClockBeforeEachRetry(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, Fault.All.Single(f => f.Name == "429").Response(provider));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = MaxRetries));

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.RetryAfter, Is.EqualTo(RetryAfter));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(Enumerable.Repeat(RetryAfter, MaxRetries)));
        }
    }

    [TestCaseSource(typeof(ProviderCase), nameof(ProviderCase.All))]
    public async Task RetryAfterAsAnHttpDateIsWaitedBeforeTheRetry(ProviderCase provider)
    {
        // Arrange
        var date = Clock.Start.AddSeconds(9).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", date),
            Ok(provider.RunningBody()));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 1));

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(9) }));
        }
    }

    [Test]
    public async Task RetryAfterIsCappedByMaxRetryAfterBetweenRequestRetries()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, WireMockResponse.Json(429, """{"error":{"code":2008,"message":"TPM"}}""").WithHeader("Retry-After", "86400"));
        var client = CreateClient(CreateOptions(o =>
        {
            o.Retry.MaxRetries = 2;
            o.Retry.MaxRetryAfter = TimeSpan.FromSeconds(12);
        }));

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.RateLimited));
            Assert.That(exception.ProviderCode, Is.EqualTo("2008"));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(12) }));
        }
    }

    [Test]
    public async Task ATransientFailureThatRecoversWithinTheRetriesIsInvisible()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(503, "{}"),
            WireMockResponse.FromFault(WireMockFault.ConnectionResetByPeer),
            Ok(provider.RunningBody()));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 2));

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(3));
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(2));
            Assert.That(Clock.RequestedDelays.All(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(8)), Is.True, "jittered exponential delays within Retry:MaxDelay");
        }
    }

    [Test]
    public async Task NoRetriesWhenMaxRetriesIsZero()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, WireMockResponse.Json(500, "{}"));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));

        // Act
        Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(1));
    }

    [TestCase(401, TaskErrorKind.Authentication)]
    [TestCase(403, TaskErrorKind.Authentication)]
    [TestCase(404, TaskErrorKind.NotFound)]
    [TestCase(429, TaskErrorKind.RateLimited)]
    [TestCase(500, TaskErrorKind.Server)]
    [TestCase(400, TaskErrorKind.Protocol)]
    public async Task DuomiEnvelopeCodeOtherThan200UnderHttp200IsAnApiError(int code, TaskErrorKind kind)
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        var body = "{\"code\":" + code + ",\"msg\":\"envelope says no\",\"data\":null,\"exec_time\":0.003,\"ip\":\"203.0.113.10\"}";
        await StubReadAsync(provider, Ok(body));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(kind));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.ProviderCode, Is.EqualTo(code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(exception.Message, Does.Contain("duomi").And.Contain("envelope says no").And.Contain("HTTP 200"));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(1), "an HTTP 200 is not retried by the request layer");
        }

        AssertNoKey(exception);
    }

    [TestCase("AuthFailure.SignatureFailure", TaskErrorKind.Authentication)]
    [TestCase("ResourceNotFound.TaskNotExist", TaskErrorKind.NotFound)]
    [TestCase("RequestLimitExceeded", TaskErrorKind.RateLimited)]
    [TestCase("InternalError", TaskErrorKind.Server)]
    [TestCase("InvalidParameterValue.Something", TaskErrorKind.Protocol)]
    public async Task TencentResponseErrorUnderHttp200IsAnApiError(string code, TaskErrorKind kind)
    {
        // Arrange
        var provider = ProviderCase.TencentVod;
        var body = "{\"Response\":{\"Error\":{\"Code\":\"" + code + "\",\"Message\":\"tencent says no\"},\"RequestId\":\"req-tc-9\"}}";
        await StubReadAsync(provider, Ok(body));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(kind));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.ProviderCode, Is.EqualTo(code));
            Assert.That(exception.RequestId, Is.EqualTo("req-tc-9"));
            Assert.That(exception.Message, Does.Contain("tencent-vod").And.Contain("tencent says no").And.Contain("request id req-tc-9"));
        }

        AssertNoKey(exception);
    }

    [Test]
    public async Task SkyEngineErrorBodyGivesItsCode()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(
            provider,
            WireMockResponse.Json(401, """{"error":{"code":2101,"message":"API key missing or invalid","details":[]}}""").WithHeader("X-Request-Id", RequestId));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Authentication));
            Assert.That(exception.ProviderCode, Is.EqualTo("2101"));
            Assert.That(exception.Message, Does.Contain("API key missing or invalid").And.Contain("request id " + RequestId));
        }
    }

    [Test]
    public async Task AnHttpErrorFromTheServerDuringAWaitForAnotherTaskDoesNotAffectThisOne()
    {
        // Arrange: the bound of the whole matrix relies on each client keeping its own state per task.
        var provider = ProviderCase.Mountsea;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        await StubReadAsync(provider, WireMockResponse.Json(404, "{}"), id: "other-task");
        var client = CreateClient();

        // Act
        Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(new TaskRef(provider.Provider, "other-task"))));
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
    }

    private static void AssertNotRaw(Exception exception)
    {
        Assert.That(
            exception,
            Is.Not.InstanceOf<Newtonsoft.Json.JsonException>()
                .And.Not.InstanceOf<NullReferenceException>()
                .And.Not.InstanceOf<HttpRequestException>()
                .And.Not.InstanceOf<System.Text.Json.JsonException>());
        Assert.That(exception.GetType(), Is.EqualTo(typeof(TaskClientException)));
    }

    [TestCaseSource(typeof(ProviderCase), nameof(ProviderCase.All))]
    public async Task ARedirectLoopIsAProtocolErrorAfterFiveRedirects(ProviderCase provider)
    {
        // Arrange: the task URL redirects to a path that redirects to itself.
        await StubReadAsync(provider, WireMockResponse.Redirect(new Uri(BaseUri, "loop").AbsoluteUri));
        await Server.AddStubAsync(WireMockStub.Get("/loop").RespondingWith(WireMockResponse.Redirect(new Uri(BaseUri, "loop").AbsoluteUri)));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        var journal = await Server.GetRequestsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Provider, Is.EqualTo(provider.Provider));
            Assert.That(exception.Message, Does.Contain("the API redirected more than 5 times"));
            Assert.That(exception.InnerException, Is.InstanceOf<InvalidOperationException>());
            Assert.That(journal, Has.Count.EqualTo(6), "the read and five redirects, not retried");
        }

        AssertNoKey(exception);
    }

    /// <summary>One fault and the outcome it must have.</summary>
    /// <param name="Name">Short name, shown in the test name.</param>
    /// <param name="Response">The WireMock answer for a provider.</param>
    /// <param name="Kind">The kind of the resulting error.</param>
    /// <param name="HttpStatus">The HTTP status the error carries.</param>
    /// <param name="Retried">Whether the request layer retries it.</param>
    /// <param name="HasRequestId">Whether the response carries <see cref="RequestId"/>.</param>
    /// <param name="WireMayRepeat">Whether .NET's own connection handling may resend the request on the wire.</param>
    public sealed record Fault(
        string Name,
        Func<ProviderCase, WireMockResponse> Response,
        TaskErrorKind Kind,
        int? HttpStatus,
        bool Retried,
        bool HasRequestId,
        bool WireMayRepeat = false)
    {
        public static IReadOnlyList<Fault> All { get; } =
        [
            Status(401, """{"statusCode":401,"message":"Unauthorized"}""", TaskErrorKind.Authentication, retried: false),
            Status(403, """{"error":{"code":2102,"message":"no model access"}}""", TaskErrorKind.Authentication, retried: false),
            Status(404, """{"statusCode":404,"message":"Task not found","error":"Not Found"}""", TaskErrorKind.NotFound, retried: false),
            new("429", _ => WithId(WireMockResponse.Json(429, """{"statusCode":429,"message":"Too many requests"}""").WithHeader("Retry-After", "7")), TaskErrorKind.RateLimited, 429, true, true),
            Status(500, """{"message":"internal error"}""", TaskErrorKind.Server, retried: true),
            new("502-html", _ => WithId(WireMockResponse.Text(502, "<html><head><title>502</title></head><body><h1>502 Bad Gateway</h1></body></html>", "text/html")), TaskErrorKind.Server, 502, true, true),
            Status(503, """{"message":"unavailable"}""", TaskErrorKind.Server, retried: true),
            Status(424, """{"error":{"code":2002,"message":"upstream unavailable"}}""", TaskErrorKind.Server, retried: true),
            new("empty-200", _ => WithId(WireMockResponse.Json(200, string.Empty)), TaskErrorKind.Protocol, 200, false, true),
            new("malformed-json", _ => WithId(WireMockResponse.Json(200, "{\"status\": completed, ]")), TaskErrorKind.Protocol, 200, false, true),
            new("truncated-json", p => WithId(WireMockResponse.Json(200, p.SucceededBody("https://cdn.example.com/a.png")[..40])), TaskErrorKind.Protocol, 200, false, true),
            new("reset", _ => WireMockResponse.FromFault(WireMockFault.ConnectionResetByPeer), TaskErrorKind.Transport, null, true, false),
            new("empty-response", _ => WireMockResponse.FromFault(WireMockFault.EmptyResponse), TaskErrorKind.Transport, null, true, false, WireMayRepeat: true),
            new("random-data", _ => WireMockResponse.FromFault(WireMockFault.RandomDataThenClose), TaskErrorKind.Transport, null, true, false),
            new("malformed-chunk", _ => WireMockResponse.FromFault(WireMockFault.MalformedResponseChunk), TaskErrorKind.Transport, null, false, false),
            new("slow", p => WithId(Ok(p.RunningBody()).WithFixedDelay(TimeSpan.FromSeconds(3))), TaskErrorKind.Timeout, null, false, false),
        ];

        /// <summary>The words the error message must hold for this fault.</summary>
        public string Says => Name switch
        {
            "empty-200" => "the response body is empty",
            "malformed-json" or "truncated-json" => "the response body is not the JSON the API documents (malformed or truncated)",
            "slow" => "the request timed out",
            "reset" => "the request failed without a usable response (transport error)",
            "empty-response" or "random-data" => "the request failed without a usable response (the connection closed before the response ended)",
            "malformed-chunk" => "the connection broke while reading the response",
            _ => "the API answered HTTP " + HttpStatus,
        };

        public override string ToString() => Name;

        private static Fault Status(int status, string json, TaskErrorKind kind, bool retried) =>
            new(status.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => WithId(WireMockResponse.Json(status, json)), kind, status, retried, true);

        private static WireMockResponse WithId(WireMockResponse response) => response.WithHeader("X-Request-Id", RequestId);
    }
}
