using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// Rules of the client's API: argument errors thrown by the call itself, before any I/O; a transport that follows
/// redirects refused; the bound on the outputs of one answer and repeats dropped; a key echoed in encoded forms masked
/// everywhere a caller looks.
/// </summary>
[TestFixture]
internal sealed class ClientRulesTests : ClientTestBase
{
    [Test]
    public void EveryMethodThrowsItsArgumentErrorsFromTheCallItself()
    {
        // Arrange
        var client = CreateClient();
        var notAnOperation = new TaskRef(Provider.SkyEngine, "not-an-operation-name");

        // Act and assert: each throws before returning a task or an enumerable, so no await is needed to see it.
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentNullException>(() => client.GetAsync(null!));
            Assert.Throws<ArgumentException>(() => client.GetAsync(notAnOperation));
            Assert.Throws<ArgumentNullException>(() => client.WaitAsync(null!));
            Assert.Throws<ArgumentException>(() => client.WaitAsync(notAnOperation));
            Assert.Throws<ArgumentException>(() => client.WaitAsync(ProviderCase.Duomi.Task, new WaitOptions { Timeout = TimeSpan.Zero }));
            Assert.Throws<ArgumentNullException>(() => client.WatchAsync(null!));
            Assert.Throws<ArgumentException>(() => client.WatchAsync(notAnOperation));
            Assert.Throws<ArgumentNullException>(() => client.DownloadAsync(null!, Stream.Null));
        }
    }

    [Test]
    public void ATransportThatFollowsRedirectsIsRefusedEvenUnderADelegatingHandler()
    {
        // Arrange
        using var following = new SocketsHttpHandler { AllowAutoRedirect = true };
        using var wrapped = new PassThrough { InnerHandler = new HttpClientHandler() };
        using var notFollowing = new SocketsHttpHandler { AllowAutoRedirect = false };

        // Act and assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                () => new TaskClient(CreateOptions(), transport: following),
                Throws.ArgumentException.With.Message.EqualTo(
                    "The transport follows redirects itself, which would send the API key to any origin a redirect names. "
                    + "Set AllowAutoRedirect = false on it: the client follows redirects itself and strips the key on the way. (Parameter 'transport')")
                    .And.Property("ParamName").EqualTo("transport"));
            Assert.That(() => new TaskClient(CreateOptions(), transport: wrapped), Throws.ArgumentException);
            Assert.That(() => new TaskClient(CreateOptions(), transport: notFollowing).Dispose(), Throws.Nothing);
        }
    }

    [Test]
    public async Task AnAnswerListingMoreOutputsThanTheLimitFailsWithAProtocolErrorAndRepeatsAreDroppedFirst()
    {
        // Arrange: four URLs, one of them twice; the limit is three.
        var urls = ((string[])["a", "b", "a", "c", "d"]).Select(n => $"\"https://cdn.example.com/{n}.png\"");
        var body = $$$"""{"taskId":"{{{ProviderCase.Mountsea.TaskId}}}","status":"completed","result":{"imageUrls":[{{{string.Join(',', urls)}}}]}}""";
        await StubReadAsync(ProviderCase.Mountsea, Ok(body));
        var options = CreateOptions(o => o.Answers.MaxOutputs = 3);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(CreateClient(options).GetAsync(ProviderCase.Mountsea.Task)));
        options.Answers.MaxOutputs = 4;
        var snapshot = await Within(CreateClient(options).GetAsync(ProviderCase.Mountsea.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Message, Does.Contain("lists 4 outputs, more than the limit of 3 (MaxOutputs)"));
            Assert.That(snapshot.Outputs.Select(o => o.Url!.AbsolutePath), Is.EqualTo((string[])["/a.png", "/b.png", "/c.png", "/d.png"]));
        }
    }

    [Test]
    public async Task AKeyEchoedJsonEscapedAndPercentEncodedReachesNoFieldOfTheSnapshotOrTheError()
    {
        // Arrange: a key with '/', '+' and '=', echoed JSON-escaped (hex in either case) and percent-encoded (non-ASCII
        // keys: ApiAnswerHandlerTests, since a header carries ASCII only).
        const string key = "sk/live+Ab==Zq9x";
        var options = CreateOptions(o => o.For(Provider.Mountsea).ApiKey = key);
        var escaped = "sk\\/live\\u002BAb\\u003d\\u003DZq9x";
        var encoded = Uri.EscapeDataString(key);
        var succeeded = $$$"""{"taskId":"{{{ProviderCase.Mountsea.TaskId}}}","status":"completed","traceId":"t-{{{escaped}}}","result":{"imageUrls":["https://cdn.example.com/a.png?token={{{encoded}}}"]}}""";
        await StubReadAsync(ProviderCase.Mountsea, Ok(succeeded));
        var snapshot = await Within(CreateClient(options).GetAsync(ProviderCase.Mountsea.Task));
        await Server.ResetAsync();
        await StubReadAsync(
            ProviderCase.Mountsea,
            WireMockResponse.Json(401, $$"""{"statusCode":401,"message":"invalid key {{escaped}}"}""").WithHeader("X-Request-Id", "r-" + encoded));

        // Act
        var error = Assert.ThrowsAsync<TaskClientException>(() => Within(CreateClient(options).GetAsync(ProviderCase.Mountsea.Task)));

        // Assert
        var seen = string.Join(
            "\n",
            snapshot.ToString(),
            snapshot.RequestId,
            snapshot.RawResponse,
            snapshot.Outputs.Single().Url,
            error.ToString(),
            error.RequestId,
            error.ProviderCode,
            LogText());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Outputs.Single().Url!.Query, Is.EqualTo("?token=***"));
            Assert.That(snapshot.RequestId, Is.EqualTo("t-***"));
            Assert.That(error.Message, Does.Contain("invalid key ***"));
            Assert.That(error.RequestId, Is.EqualTo("r-***"));
            foreach (var form in new[] { key, escaped, encoded, "live+Ab==" })
            {
                Assert.That(seen, Does.Not.Contain(form), form);
            }
        }
    }

    private sealed class PassThrough : DelegatingHandler;
}
