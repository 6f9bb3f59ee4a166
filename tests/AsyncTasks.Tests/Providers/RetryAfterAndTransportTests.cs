using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// Retry-After as the retry handler reads it from a response (a delay, or a date turned into the delay from now,
/// never negative), and the wording of a failure to connect at all.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class RetryAfterAndTransportTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void ADelayIsReadAsIs()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(12));

        Assert.That(RetryAfterParser.Parse(response, Now), Is.EqualTo(TimeSpan.FromSeconds(12)));
    }

    [Test]
    public void ADateIsTheDelayFromNowAndNeverNegative()
    {
        using var future = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        future.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(45));
        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(-45));
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(RetryAfterParser.Parse(future, Now), Is.EqualTo(TimeSpan.FromSeconds(45)));
            Assert.That(RetryAfterParser.Parse(past, Now), Is.EqualTo(TimeSpan.Zero));
            Assert.That(RetryAfterParser.Parse(none, Now), Is.Null);
        }
    }

    [Test]
    public void ARefusedConnectionIsATransportErrorSayingItCouldNotConnect()
    {
        // Arrange: a loopback port that was just free, so nothing listens on it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = CallTimeout };
        using var timeout = new CancellationTokenSource(CallTimeout);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(
            async () => await new KexiangAdapter().GetAsync(new TaskRef(Provider.Kexiang, "33201"), http, timeout.Token));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Transport));
            Assert.That(exception.HttpStatus, Is.Null);
            Assert.That(exception.Message, Is.EqualTo("kexiang: the request failed without a usable response (could not connect) (kind Transport, request id none)"));
        }
    }

    [Test]
    public void EachTransportFailureSaysWhatBrokeAndANullTaskIsTheCallersMistake()
    {
        (HttpRequestError Error, string Wording)[] cases =
        [
            (HttpRequestError.NameResolutionError, "the host name could not be resolved"),
            (HttpRequestError.SecureConnectionError, "the TLS handshake failed"),
            (HttpRequestError.ResponseEnded, "the connection closed before the response ended"),
            (HttpRequestError.InvalidResponse, "the response is not valid HTTP"),
            (HttpRequestError.ProxyTunnelError, "the proxy tunnel failed"),
            (HttpRequestError.Unknown, "transport error"),
        ];
        foreach (var (error, wording) in cases)
        {
            using var http = new HttpClient(new Failing(error)) { BaseAddress = new Uri("http://127.0.0.1:9/"), Timeout = CallTimeout };

            var exception = Assert.ThrowsAsync<TaskClientException>(
                async () => await new KexiangAdapter().GetAsync(new TaskRef(Provider.Kexiang, "33201"), http, CancellationToken.None));

            Assert.That(
                exception.Message,
                Is.EqualTo($"kexiang: the request failed without a usable response ({wording}) (kind Transport, request id none)"),
                error.ToString());
        }

        using var unused = new HttpClient(new Failing(HttpRequestError.Unknown));
        var nullTask = Assert.ThrowsAsync<ArgumentNullException>(async () => await new KexiangAdapter().GetAsync(null!, unused, CancellationToken.None));
        Assert.That(nullTask.ParamName, Is.EqualTo("task"));
    }

    /// <summary>A transport that fails every request before any response, as <paramref name="error"/>.</summary>
    private sealed class Failing(HttpRequestError error) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromException<HttpResponseMessage>(new HttpRequestException(error, "transport failed"));
    }
}
