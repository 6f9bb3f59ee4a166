using AsyncTasks.Generated;
using AsyncTasks.Providers;
using Newtonsoft.Json;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// How what a generated client threw becomes a <see cref="TaskClientException"/>: the kind and wording by status,
/// the explanation of a 2xx answer that could not be read, the request id picked from the response headers, and
/// Retry-After.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class ApiErrorTranslationTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly DuomiAdapter adapter = new();

    /// <summary>Request id headers, most specific first.</summary>
    private static readonly string[] RequestIdHeaders =
        ["X-Request-Id", "X-Trace-Id", "Request-Id", "X-Tc-RequestId", "X-Correlation-Id", "traceparent"];

    [Test]
    public void A2xxAnswerThatIsNotJsonIsAProtocolErrorSayingSo()
    {
        var exception = Translate(200, "{\"code\":", new JsonReaderException("unexpected end"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(
                exception.Message,
                Is.EqualTo("duomi: the response body is not the JSON the API documents (malformed or truncated) (kind Protocol, HTTP 200, request id none)"));
        }
    }

    [Test]
    public void AnEmpty2xxAnswerIsAProtocolErrorSayingSo() =>
        Assert.That(
            Translate(200, string.Empty).Message,
            Is.EqualTo("duomi: the response body is empty (kind Protocol, HTTP 200, request id none)"));

    [Test]
    public void A2xxAnswerOfAnotherShapeIsAProtocolErrorSayingSo() =>
        Assert.That(
            Translate(299, "[1,2]").Message,
            Is.EqualTo("duomi: the response body is not a task result (kind Protocol, HTTP 299, request id none)"));

    [TestCase(199)]
    [TestCase(300)]
    [TestCase(400)]
    public void AnUnexpectedStatusOutside2xxIsReportedAsTheStatus(int status)
    {
        var exception = Translate(status, string.Empty);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Message, Is.EqualTo($"duomi: the API answered HTTP {status} (kind Protocol, HTTP {status}, request id none)"));
        }
    }

    [Test]
    public void AnHttpErrorIsReportedWithTheProvidersCodeMessageRequestIdAndRetryAfter()
    {
        var headers = Headers(("x-request-id", "req-9"), ("Retry-After", "7"));

        var exception = Translate(429, "{\"code\":429,\"msg\":\"slow\\r\\ndown\"}", headers: headers);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.RateLimited));
            Assert.That(exception.ProviderCode, Is.EqualTo("429"));
            Assert.That(exception.RequestId, Is.EqualTo("req-9"));
            Assert.That(exception.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(exception.Message, Is.EqualTo("duomi: the API answered HTTP 429: slow down (kind RateLimited, HTTP 429, provider code 429, request id req-9)"));
        }
    }

    [Test]
    public void TheMostSpecificRequestIdHeaderWinsWhateverTheOrderOfTheHeaders()
    {
        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < RequestIdHeaders.Length; i++)
            {
                // The header under test and every less specific one, least specific first.
                var present = RequestIdHeaders[i..].Reverse().Select(name => (name, "id-of-" + name)).ToArray();

                Assert.That(ProviderAdapter.FindRequestId(Headers(present)), Is.EqualTo("id-of-" + RequestIdHeaders[i]), RequestIdHeaders[i]);
            }
        }
    }

    [Test]
    public void ABlankRequestIdIsSkipped()
    {
        var headers = new Dictionary<string, IEnumerable<string>>
        {
            ["X-Request-Id"] = ["  "],
            ["X-Trace-Id"] = [string.Empty, "trace-2"],
        };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ProviderAdapter.FindRequestId(headers), Is.EqualTo("trace-2"));
            Assert.That(ProviderAdapter.FindRequestId(Headers(("X-Request-Id", " "))), Is.Null);
            Assert.That(ProviderAdapter.FindRequestId(Headers(("Content-Type", "application/json"))), Is.Null);
            Assert.That(ProviderAdapter.FindRequestId(null), Is.Null);
        }
    }

    private TaskClientException Translate(
        int status, string? body, Exception? inner = null, IReadOnlyDictionary<string, IEnumerable<string>>? headers = null) =>
        adapter.FromApiException(new ApiException("The HTTP status code of the response was not expected", status, body, headers ?? Headers(), inner), Now);

    private static Dictionary<string, IEnumerable<string>> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => (IEnumerable<string>)[h.Value], StringComparer.OrdinalIgnoreCase);
}
