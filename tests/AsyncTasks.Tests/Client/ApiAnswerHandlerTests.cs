using System.Net;
using System.Text;
using AsyncTasks.Http;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// The one place answers pass through (<see cref="ApiAnswerHandler"/>) and its masking function (<see cref="KeyMask"/>):
/// a key comes out in none of the forms a gateway may echo it in, whatever the status; the limits of one answer.
/// </summary>
[TestFixture]
internal sealed class ApiAnswerHandlerTests
{
    /// <summary>Keys with '/', '+', '=', non-ASCII letters and a character outside the BMP.</summary>
    private static readonly string[] Keys = ["sk/live+Ab==9xYz", "clé-ünïcødé-Schlüssel", "key with space+=", "emoji-🔑-key/+="];

    /// <summary>Every encoding a gateway may echo <paramref name="key"/> in.</summary>
    private static IEnumerable<(string Form, string Text)> Forms(string key)
    {
        yield return ("raw", key);
        yield return ("JSON, '/' escaped", key.Replace("/", "\\/", StringComparison.Ordinal));
        yield return ("JSON, all but letters and digits as \\u, lower hex", EscapeJson(key, upper: false, onlyNonAscii: false));
        yield return ("JSON, non-ASCII as \\u, upper hex", EscapeJson(key, upper: true, onlyNonAscii: true));
        yield return ("percent, upper hex", Uri.EscapeDataString(key));
        yield return ("percent, lower hex", LowerHex(Uri.EscapeDataString(key)));
        yield return ("form, '+' for space", System.Web.HttpUtility.UrlEncode(key));
    }

    [Test]
    public void TheMaskRemovesEveryKeyInEveryFormAndLeavesOtherTextAsItIs()
    {
        var mask = new KeyMask(Keys);
        foreach (var key in Keys)
        {
            foreach (var (form, text) in Forms(key))
            {
                var masked = mask.Apply($"before {text} after");
                Assert.That(masked, Is.EqualTo($"before {KeyMask.Mask} after"), $"{key} as {form}: {text}");
            }
        }

        const string plain = "no key here: sk/live+Ab== is only a prefix, %41 and \\u0041 stay";
        Assert.That(mask.Apply(plain), Is.SameAs(plain));
    }

    [Test]
    public void KeysShorterThanTheMinimumAreNotMasked()
    {
        var mask = new KeyMask(["1234567", "12345678"]);
        Assert.That(mask.Apply("a 1234567 b 12345678"), Is.EqualTo("a 1234567 b ***"));
    }

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.Unauthorized)]
    [TestCase(HttpStatusCode.InternalServerError)]
    public async Task BodyAndHeadersOfEveryAnswerHoldNoKeyInAnyForm(HttpStatusCode status)
    {
        foreach (var key in Keys)
        {
            foreach (var (form, text) in Forms(key))
            {
                // Arrange: the body echoes the key in a message and in an output URL, a header as a request id.
                var body = $$"""{"msg":"bad key {{text}}","url":"https://cdn.example.test/v.mp4?token={{text}}"}""";
                using var invoker = Invoker(key, status, body, ("X-Request-Id", "req-" + text));

                // Act
                using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/task/1"), CancellationToken.None);
                var read = await response.Content.ReadAsStringAsync();

                // Assert
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(read, Is.EqualTo("""{"msg":"bad key ***","url":"https://cdn.example.test/v.mp4?token=***"}"""), $"{form}: {text}");
                    Assert.That(response.Headers.GetValues("X-Request-Id"), Is.EqualTo((string[])["req-***"]), $"{form}: {text}");
                    Assert.That(response.StatusCode, Is.EqualTo(status));
                }
            }
        }
    }

    [Test]
    public async Task AnAnswerLargerThanTheLimitFailsWithAProtocolErrorNamingIt()
    {
        // Arrange
        using var invoker = Invoker("sk-live-0123456789", HttpStatusCode.OK, new string('x', 101), limits: new AnswerLimits { MaxBytes = 100 });

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(
            () => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/task/1"), CancellationToken.None));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Provider, Is.EqualTo(Provider.Duomi));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.Message, Does.Contain("larger than the limit of 100 bytes (Answers:MaxBytes)"));
        }
    }

    [TestCase(5, false)]
    [TestCase(6, true)]
    public async Task JsonNestedDeeperThanTheLimitFailsWithAProtocolErrorNamingIt(int depth, bool refused)
    {
        // Arrange
        var body = string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth));
        using var invoker = Invoker("sk-live-0123456789", HttpStatusCode.OK, body, limits: new AnswerLimits { MaxDepth = 5 });

        // Act
        Task Send() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/task/1"), CancellationToken.None);

        // Assert
        if (refused)
        {
            var exception = Assert.ThrowsAsync<TaskClientException>(Send);
            Assert.That(exception.Message, Does.Contain("deeper than the limit of 5 levels (Answers:MaxDepth)"));
        }
        else
        {
            Assert.DoesNotThrowAsync(Send);
        }
    }

    private static HttpMessageInvoker Invoker(
        string key, HttpStatusCode status, string body, (string Name, string Value)? header = null, AnswerLimits? limits = null)
    {
        limits ??= new AnswerLimits();
        return new(new ApiAnswerHandler(Provider.Duomi, new KeyMask([key]), limits.MaxBytes, limits.MaxDepth)
        {
            InnerHandler = new Answer(status, body, header),
        });
    }

    private static string EscapeJson(string text, bool upper, bool onlyNonAscii)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            var escape = onlyNonAscii ? c > 0x7F : !char.IsAsciiLetterOrDigit(c);
            builder.Append(escape ? "\\u" + ((int)c).ToString(upper ? "X4" : "x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString());
        }

        return builder.ToString();
    }

    private static string LowerHex(string percentEncoded) =>
        System.Text.RegularExpressions.Regex.Replace(percentEncoded, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());

    /// <summary>A transport answering with one status, body and optional header.</summary>
    private sealed class Answer(HttpStatusCode status, string body, (string Name, string Value)? header) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
                RequestMessage = request,
            };
            if (header is { } h)
            {
                response.Headers.TryAddWithoutValidation(h.Name, h.Value);
            }

            return Task.FromResult(response);
        }
    }
}
