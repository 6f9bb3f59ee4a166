using System.Net;
using System.Text;
using AsyncTasks.Http;
using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <see cref="ApiKeyHandler"/> on its own: the key goes only to its provider's origin, downloads are left byte-exact,
/// and key bindings never show the key.
/// </summary>
[TestFixture]
internal sealed class ApiKeyHandlerTests
{
    private static readonly Uri Origin = new("http://127.0.0.1:5000/");

    private static readonly ApiKeyScheme Scheme = new("X-Api-Key", string.Empty);

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

    [TestCase("http://127.0.0.1:5000/task/1", true)]
    [TestCase("HTTP://127.0.0.1:5000/task/1", true)]
    [TestCase("http://127.0.0.1:5000/", true)]
    [TestCase("http://127.0.0.1:50001/task/1", false)]
    [TestCase("http://127.0.0.1:500/task/1", false)]
    [TestCase("http://127.0.0.1:5000@evil.test/task/1", false)] // user info, then another host
    [TestCase("https://127.0.0.1:5000/task/1", false)]
    [TestCase("http://localhost:5000/task/1", false)]
    [TestCase("http://127.0.0.10:5000/task/1", false)]
    public async Task TheKeyGoesOnlyToTheConfiguredOriginHoweverTheUrlIsWritten(string url, bool carriesKey)
    {
        // Arrange
        const string key = "sk-live-0123456789";
        using var invoker = Invoker(key, Provider.Kexiang, HttpStatusCode.OK, answeredAtOnce: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));

        // Act
        using var response = await invoker.SendAsync(request, CancellationToken.None);

        // Assert
        Assert.That(
            request.Headers.TryGetValues("X-Api-Key", out var values) ? values : [],
            carriesKey ? Is.EqualTo(new[] { key }) : Is.Empty);
    }

    [TestCase("https://api.example.test/", "https://api.example.test:443/v1/task", true)]
    [TestCase("https://api.example.test/v1/", "https://API.EXAMPLE.TEST/v1/task", true)]
    [TestCase("https://api.example.test:8443/", "https://api.example.test/v1/task", false)]
    [TestCase("http://[::1]:5000/", "http://[0:0:0:0:0:0:0:1]:5000/task", true)]
    public async Task URLsWrittenDifferentlyAreComparedByTheirParts(string origin, string url, bool carriesKey)
    {
        // Arrange
        const string key = "sk-live-0123456789";
        using var invoker = new HttpMessageInvoker(
            new ApiKeyHandler([new KeyBinding(Provider.Kexiang, new Uri(origin), Scheme, key)], Provider.Kexiang)
            {
                InnerHandler = new Answer(HttpStatusCode.OK, key),
            });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));

        // Act
        using var response = await invoker.SendAsync(request, CancellationToken.None);

        // Assert
        Assert.That(
            request.Headers.TryGetValues("X-Api-Key", out var values) ? values : [],
            carriesKey ? Is.EqualTo(new[] { key }) : Is.Empty);
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
