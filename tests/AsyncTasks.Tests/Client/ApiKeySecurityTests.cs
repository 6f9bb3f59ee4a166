using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// Where the API key goes: with the exact header each provider uses, only that provider's key, only to that
/// provider's origin (not after a redirect to another origin, not to a download elsewhere), and never into an
/// exception, a ToString() or a log line.
/// </summary>
[TestFixture]
internal sealed class ApiKeySecurityTests : ClientTestBase
{
    private static readonly string[] KeyHeaders = ["Authorization", "x-api-key"];

    private static readonly string[] Deliveries = ["short", "long", "chunked"];

    private static IEnumerable<ProviderCase> Providers => ProviderCase.All;

    [TestCaseSource(nameof(Providers))]
    public async Task TheKeyIsSentWithTheProvidersOwnHeaderAndNoOther(ProviderCase provider)
    {
        // Arrange: every provider shares the one WireMock origin, so only the provider decides which key goes.
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act
        await Within(client.GetAsync(provider.Task));

        // Assert
        var read = (await ReadsAsync(provider)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Header(provider.KeyHeader), Is.EqualTo(provider.KeyPrefix + provider.ApiKey));
            foreach (var other in KeyHeaders.Where(h => !h.Equals(provider.KeyHeader, StringComparison.OrdinalIgnoreCase)))
            {
                Assert.That(read.Header(other), Is.Null, $"{other} is not {provider.Name}'s header");
            }

            foreach (var otherProvider in ProviderCase.All.Where(p => p != provider))
            {
                Assert.That(read.ToString(), Does.Not.Contain(otherProvider.ApiKey), $"{otherProvider.Name}'s key must not go to {provider.Name}");
            }
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task ARedirectToAnotherOriginDoesNotCarryTheKey(ProviderCase provider)
    {
        // Arrange: 127.0.0.1 redirects to localhost, the same server under another origin.
        await StubReadAsync(provider, WireMockResponse.Redirect(new Uri(OtherOrigin, "other").AbsoluteUri));
        await Server.AddStubAsync(WireMockStub.Get("/other").RespondingWith(Ok(provider.RunningBody())));
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        var journal = await Server.GetRequestsAsync();
        var first = journal.Single(r => r.Url == provider.UrlOf());
        var redirected = journal.Single(r => r.Path == "/other");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(first.Header(provider.KeyHeader), Is.EqualTo(provider.KeyPrefix + provider.ApiKey));
            Assert.That(redirected.Header("Host"), Does.StartWith("localhost:"), "the redirect really went to the other origin");
            foreach (var header in KeyHeaders)
            {
                Assert.That(redirected.Header(header), Is.Null, $"{header} after the redirect");
            }

            AssertNoKey(redirected.ToString(), "the redirected request");
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task ARedirectWithinTheProvidersOriginKeepsTheKey(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, WireMockResponse.Redirect(new Uri(BaseUri, "moved").AbsoluteUri, 307));
        await Server.AddStubAsync(WireMockStub.Get("/moved").RespondingWith(Ok(provider.RunningBody())));
        var client = CreateClient();

        // Act
        await Within(client.GetAsync(provider.Task));

        // Assert
        var moved = (await Server.GetRequestsAsync()).Single(r => r.Path == "/moved");
        Assert.That(moved.Header(provider.KeyHeader), Is.EqualTo(provider.KeyPrefix + provider.ApiKey));
    }

    [TestCaseSource(nameof(Providers))]
    public async Task ADownloadFromAnotherOriginCarriesNoKey(ProviderCase provider)
    {
        // Arrange: the provider at 127.0.0.1 names an output on localhost.
        var outputUrl = new Uri(OtherOrigin, "files/elsewhere.bin");
        await StubReadAsync(provider, Ok(provider.SucceededBody(outputUrl.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/elsewhere.bin").RespondingWith(WireMockResponse.Binary(200, [1, 2, 3])));
        var client = CreateClient();
        var snapshot = await Within(client.GetAsync(provider.Task));
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(snapshot.Outputs.Single(), destination));

        // Assert
        var download = (await Server.GetRequestsAsync()).Single(r => r.Path == "/files/elsewhere.bin");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(3));
            Assert.That(download.Header("Host"), Does.StartWith("localhost:"));
            foreach (var header in KeyHeaders)
            {
                Assert.That(download.Header(header), Is.Null, $"{header} on a download from another origin");
            }
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task ADownloadFromTheProvidersOwnOriginMayCarryOnlyThatProvidersKey(ProviderCase provider)
    {
        // Arrange
        var outputUrl = new Uri(BaseUri, "files/own.bin");
        await StubReadAsync(provider, Ok(provider.SucceededBody(outputUrl.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/own.bin").RespondingWith(WireMockResponse.Binary(200, [9, 8, 7, 6])));
        var client = CreateClient();
        var snapshot = await Within(client.GetAsync(provider.Task));
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(snapshot.Outputs.Single(), destination));

        // Assert
        var download = (await Server.GetRequestsAsync()).Single(r => r.Path == "/files/own.bin");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(4));
            Assert.That(download.Header(provider.KeyHeader), Is.Null.Or.EqualTo(provider.KeyPrefix + provider.ApiKey));
            foreach (var other in ProviderCase.All.Where(p => p != provider))
            {
                Assert.That(download.ToString(), Does.Not.Contain(other.ApiKey), $"{other.Name}'s key on {provider.Name}'s download");
            }
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task ADownloadRedirectedToAnotherOriginCarriesNoKey(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, Ok(provider.SucceededBody(new Uri(BaseUri, "files/redirecting.bin").AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/redirecting.bin")
            .RespondingWith(WireMockResponse.Redirect(new Uri(OtherOrigin, "cdn/final.bin").AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/cdn/final.bin").RespondingWith(WireMockResponse.Binary(200, [5, 5])));
        var client = CreateClient();
        var snapshot = await Within(client.GetAsync(provider.Task));
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(snapshot.Outputs.Single(), destination));

        // Assert
        var final = (await Server.GetRequestsAsync()).Single(r => r.Path == "/cdn/final.bin");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(2));
            foreach (var header in KeyHeaders)
            {
                Assert.That(final.Header(header), Is.Null);
            }
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task AGatewayEchoingTheKeyInItsErrorDoesNotPutItIntoTheException(ProviderCase provider)
    {
        // Arrange: a misbehaving gateway copies the key header into its error message.
        var echo = "{{request.headers." + provider.KeyHeader + "}}";
        var response = provider.Provider switch
        {
            Provider.Mountsea => WireMockResponse.Json(401, "{\"statusCode\":401,\"message\":\"bad key " + echo + "\"}"),
            Provider.Duomi => WireMockResponse.Json(200, "{\"code\":401,\"msg\":\"bad key " + echo + "\",\"data\":null}"),
            Provider.Kexiang => WireMockResponse.Json(401, "{\"code\":401,\"msg\":\"bad key " + echo + "\"}"),
            Provider.TencentVod => WireMockResponse.Json(200, "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure\",\"Message\":\"bad key " + echo + "\"},\"RequestId\":\"r-1\"}}"),
            _ => WireMockResponse.Json(401, "{\"error\":{\"code\":2101,\"message\":\"bad key " + echo + "\"}}"),
        };
        await Server.AddTemplatedStubAsync(provider.Stub().RespondingWith(response));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Authentication));
        AssertNoKey(exception);
        AssertNoKeyInLogs();
    }

    /// <summary>How a 200 answer arrives: short with a length, longer than the reader's first read, or chunked without a length.</summary>
    private static IEnumerable<TestCaseData> EchoDeliveries() =>
        from provider in ProviderCase.All
        from delivery in Deliveries
        select new TestCaseData(provider, delivery).SetArgDisplayNames(provider.Name, delivery);

    [TestCaseSource(nameof(EchoDeliveries))]
    public async Task AKeyEchoedInASuccessfulAnswerIsOverwrittenBeforeItIsRead(ProviderCase provider, string delivery)
    {
        // Arrange: the provider's succeeded answer with the key header copied into an extra property (kept by the
        // generated DTO in AdditionalProperties), padded past the first read for "long".
        var body = JObject.Parse(provider.SucceededBody("https://cdn.example.com/out.png"));
        body["echo"] = "key {{request.headers." + provider.KeyHeader + "}} end";
        if (delivery == "long")
        {
            body["padding"] = new string('p', 20_000);
        }

        var stub = provider.Stub().RespondingWith(Ok(body.ToString(Newtonsoft.Json.Formatting.None)));
        if (delivery == "chunked")
        {
            await Server.AddStubAsync(stub.RespondingWith(stub.Response.WithTemplating().WithChunkedBody()));
        }
        else
        {
            await Server.AddTemplatedStubAsync(stub);
        }

        var client = CreateClient();

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert: the echo arrived (the stars prove it) and only its redacted form is in the result.
        var raw = snapshot.RawResponse!.ToString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.Outputs.Single().Url, Is.EqualTo(new Uri("https://cdn.example.com/out.png")));
            Assert.That(raw, Does.Contain("key " + provider.KeyPrefix + "***" + " end"));
            AssertNoKey(raw, "RawResponse");
            AssertNoKey(snapshot.ToString(), "the snapshot");
        }
    }

    [Test]
    public async Task NoToStringShowsAKey()
    {
        // Arrange
        var provider = ProviderCase.TencentVod;
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var options = CreateOptions();
        var client = CreateClient(options);

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));
        var texts = new List<string?>
        {
            options.ToString(),
            options.Retry.ToString(),
            options.Wait.ToString(),
            snapshot.ToString(),
            snapshot.Task.ToString(),
            snapshot.Outputs.Single().ToString(),
            client.ToString(),
            string.Join(", ", client.KeyBindings),
        };
        texts.AddRange(ProviderCase.All.Select(p => options.For(p.Provider).ToString()));

        // Assert
        foreach (var text in texts)
        {
            AssertNoKey(text, "a ToString()");
        }

        Assert.That(options.For(Provider.Duomi).ToString(), Does.Contain("(set)"));
        AssertNoKeyInLogs();
    }

    [Test]
    public async Task TraceLogsOfAWholeWaitWithRetriesHoldNoKey()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(503, "{}"),
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", "3"),
            WireMockResponse.Json(500, "{}"),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 1));

        // Act
        await Within(client.WaitAsync(provider.Task));

        // Assert
        Assert.That(Logs.GetSnapshot(), Is.Not.Empty, "the capture works");
        AssertNoKeyInLogs();
    }
}
