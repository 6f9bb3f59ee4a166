using System.Net;
using System.Text;
using AsyncTasks.Http;
using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <see cref="ApiKeyHandler"/> on its own: which answers it wraps for redaction or marks for the reader (whether the
/// transport answers at once or later), which keys are long enough to redact, downloads left byte-exact, and key
/// bindings that never show the key.
/// </summary>
[TestFixture]
internal sealed class ApiKeyHandlerRedactionTests
{
    private static readonly Uri Origin = new("http://127.0.0.1:5000/");

    private static readonly ApiKeyScheme Scheme = new("X-Api-Key", string.Empty);

    [TestCase(true)]
    [TestCase(false)]
    public async Task AnErrorAnswerEchoingTheKeyIsReadRedacted(bool answeredAtOnce)
    {
        // Arrange
        const string key = "sk-live-0123456789";
        using var invoker = Invoker(key, Provider.Kexiang, HttpStatusCode.Unauthorized, answeredAtOnce);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Origin, "task/1"));

        // Act
        using var response = await invoker.SendAsync(request, CancellationToken.None);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Headers.GetValues("X-Api-Key"), Is.EqualTo(new[] { key }));
            Assert.That(body, Is.EqualTo("{\"msg\":\"bad key " + new string('*', key.Length) + "\"}"));
            Assert.That(request.Options.TryGetValue(ApiKeyHandler.PendingRedaction, out _), Is.False);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ASuccessfulAnswerIsLeftForTheReaderAndMarkedWithTheKey(bool answeredAtOnce)
    {
        // Arrange
        const string key = "sk-live-0123456789";
        using var invoker = Invoker(key, Provider.Kexiang, HttpStatusCode.OK, answeredAtOnce);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Origin, "task/1"));

        // Act
        using var response = await invoker.SendAsync(request, CancellationToken.None);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body, Is.EqualTo("{\"msg\":\"bad key " + key + "\"}"), "redacted by the reader, not here");
            Assert.That(request.Options.TryGetValue(ApiKeyHandler.PendingRedaction, out var pending), Is.True);
            Assert.That(pending, Is.EqualTo(Encoding.UTF8.GetBytes(key)));
        }
    }

    [TestCase("12345678", true)]
    [TestCase("1234567", false)]
    public async Task OnlyKeysOfAtLeastTheMinimumLengthAreRedacted(string key, bool redacted)
    {
        // Arrange
        using var invoker = Invoker(key, Provider.Duomi, HttpStatusCode.BadRequest, answeredAtOnce: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Origin, "task/1"));

        // Act
        using var response = await invoker.SendAsync(request, CancellationToken.None);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.That(body, Is.EqualTo("{\"msg\":\"bad key " + (redacted ? new string('*', key.Length) : key) + "\"}"));
    }

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.NotFound)]
    public async Task ADownloadFromTheProvidersOriginCarriesTheKeyAndIsLeftByteExact(HttpStatusCode status)
    {
        // Arrange: the download client (no provider of its own) fetching an output of the provider's task.
        const string key = "sk-live-0123456789";
        var answer = new Answer(status, key);
        using var invoker = new HttpMessageInvoker(
            new ApiKeyHandler([new KeyBinding(Provider.Kexiang, Origin, Scheme, key)], provider: null) { InnerHandler = answer });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Origin, "files/out.png"));
        request.Options.Set(ApiKeyHandler.SourceProvider, Provider.Kexiang);

        // Act
        using var response = await invoker.SendAsync(request, CancellationToken.None);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Headers.GetValues("X-Api-Key"), Is.EqualTo(new[] { key }));
            Assert.That(response.Content, Is.SameAs(answer.Content), "not wrapped");
            Assert.That(request.Options.TryGetValue(ApiKeyHandler.PendingRedaction, out _), Is.False, "not marked");
        }
    }

    [Test]
    public void AKeyBindingNamesProviderOriginAndHeaderButNotTheKey()
    {
        // Arrange
        var binding = new KeyBinding(Provider.TencentVod, Origin, ApiKeyScheme.Bearer, "sk-live-0123456789");

        // Act
        var text = binding.ToString();

        // Assert
        Assert.That(text, Is.EqualTo("KeyBinding { Provider = tencent-vod, Origin = http://127.0.0.1:5000/, Header = Authorization }"));
    }

    private static HttpMessageInvoker Invoker(string key, Provider provider, HttpStatusCode status, bool answeredAtOnce) =>
        new(new ApiKeyHandler([new KeyBinding(provider, Origin, Scheme, key)], provider)
        {
            InnerHandler = new Answer(status, key) { AtOnce = answeredAtOnce },
        });

    /// <summary>A transport answering with <paramref name="status"/> and a body that echoes the key sent.</summary>
    private sealed class Answer(HttpStatusCode status, string key) : HttpMessageHandler
    {
        /// <summary>Whether the answer's task is already complete when returned (otherwise it completes later).</summary>
        public bool AtOnce { get; init; } = true;

        public HttpContent Content { get; } = new StringContent("{\"msg\":\"bad key " + key + "\"}", Encoding.UTF8, "application/json");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { Content = Content, RequestMessage = request };
            return AtOnce ? Task.FromResult(response) : LaterAsync(response);

            static async Task<HttpResponseMessage> LaterAsync(HttpResponseMessage response)
            {
                await Task.Yield();
                return response;
            }
        }
    }
}
