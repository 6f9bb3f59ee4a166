using System.Net;
using AsyncTasks.Http;
using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <see cref="ApiKeyHandler"/> removes every key header a request already carries (set by a default header, an outer
/// handler, a copied redirect), of its own provider or another, whatever their spelling, before it attaches the one
/// key the request may carry; headers that are not key headers are left alone.
/// </summary>
[TestFixture]
internal sealed class ApiKeyHeaderStrippingTests
{
    private const string KexiangKey = "kx-key-0123456789";
    private const string DuomiKey = "dm-key-0123456789";

    private static readonly Uri KexiangOrigin = new("http://127.0.0.1:5001/");
    private static readonly Uri DuomiOrigin = new("http://127.0.0.1:5002/");

    private static readonly string[] KexiangKeyOnly = [KexiangKey];
    private static readonly string[] DuomiKeyOnly = [DuomiKey];
    private static readonly string[] Json = ["application/json"];
    private static readonly string[] Trace = ["t-1"];
    private static readonly string[] KexiangRequestHeaders = ["Accept", "X-Trace", "x-api-key"];

    private static readonly KeyBinding[] Bindings =
    [
        new(Provider.Kexiang, KexiangOrigin, new ApiKeyScheme("x-api-key", string.Empty), KexiangKey),
        new(Provider.Duomi, DuomiOrigin, new ApiKeyScheme("Authorization", string.Empty), DuomiKey),
    ];

    /// <summary>Key headers put on the request before the handler: name as written, value.</summary>
    private static IEnumerable<TestCaseData> Planted()
    {
        yield return new TestCaseData((object)new[] { ("x-api-key", "stale") }).SetArgDisplayNames("own header, stale value");
        yield return new TestCaseData((object)new[] { ("X-API-KEY", "stale") }).SetArgDisplayNames("own header, other case");
        yield return new TestCaseData((object)new[] { ("Authorization", DuomiKey) }).SetArgDisplayNames("another provider's key");
        yield return new TestCaseData((object)new[] { ("authorization", "Bearer x"), ("x-api-key", "a"), ("X-Api-Key", "b") })
            .SetArgDisplayNames("several, repeated");
    }

    [TestCaseSource(nameof(Planted))]
    public async Task AProviderRequestToItsOriginCarriesOnlyItsOwnKey((string Name, string Value)[] planted)
    {
        var (request, seen) = await Send(Provider.Kexiang, new Uri(KexiangOrigin, "api/v1/task/7"), planted);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen["x-api-key"], Is.EqualTo(KexiangKeyOnly));
            Assert.That(seen.ContainsKey("Authorization"), Is.False);
            Assert.That(seen["Accept"], Is.EqualTo(Json), "other headers untouched");
            Assert.That(seen["X-Trace"], Is.EqualTo(Trace), "other headers untouched");
        }

        request.Dispose();
    }

    [TestCaseSource(nameof(Planted))]
    public async Task ARequestToAnotherOriginCarriesNoKeyAtAll((string Name, string Value)[] planted)
    {
        var (request, seen) = await Send(Provider.Kexiang, new Uri("http://127.0.0.1:6000/elsewhere"), planted);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen.ContainsKey("x-api-key"), Is.False);
            Assert.That(seen.ContainsKey("Authorization"), Is.False);
            Assert.That(seen["X-Trace"], Is.EqualTo(Trace));
        }

        request.Dispose();
    }

    [TestCaseSource(nameof(Planted))]
    public async Task ADownloadCarriesOnlyTheKeyOfTheProviderWhoseOutputItIs((string Name, string Value)[] planted)
    {
        var (request, seen) = await Send(provider: null, new Uri(DuomiOrigin, "files/a.png"), planted, source: Provider.Duomi);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen["Authorization"], Is.EqualTo(DuomiKeyOnly));
            Assert.That(seen.ContainsKey("x-api-key"), Is.False);
        }

        request.Dispose();
    }

    [Test]
    public async Task ARequestWithoutKeyHeadersKeepsEveryHeaderItHas()
    {
        var (request, seen) = await Send(Provider.Kexiang, new Uri(KexiangOrigin, "api/v1/task/7"), []);

        Assert.That(
            seen.Keys.Order(StringComparer.Ordinal),
            Is.EqualTo(KexiangRequestHeaders.Order(StringComparer.Ordinal)));
        request.Dispose();
    }

    private static async Task<(HttpRequestMessage Request, Dictionary<string, string[]> Seen)> Send(
        Provider? provider, Uri url, (string Name, string Value)[] planted, Provider? source = null)
    {
        var recorder = new Recorder();
        using var invoker = new HttpMessageInvoker(new ApiKeyHandler(Bindings, provider) { InnerHandler = recorder });
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("X-Trace", "t-1");
        foreach (var (name, value) in planted)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (source is { } owner)
        {
            request.Options.Set(ApiKeyHandler.SourceProvider, owner);
        }

        using var response = await invoker.SendAsync(request, CancellationToken.None);
        return (request, recorder.Seen!);
    }

    /// <summary>Answers 204 and remembers the headers it was sent, by name as the transport would write it.</summary>
    private sealed class Recorder : HttpMessageHandler
    {
        public Dictionary<string, string[]>? Seen { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen = request.Headers.NonValidated.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.Ordinal);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
        }
    }
}
