using System.Globalization;
using System.Net;
using System.Text;
using AsyncTasks.Providers;
using AsyncTasks.Tests.Infrastructure.Specs;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// A read whose answer is already there (a transport that answers synchronously) is returned without an asynchronous
/// method; one whose answer comes later is awaited. Both ways must give the same snapshot or the same
/// <see cref="TaskClientException"/> for every documented response example and for malformed answers, and a failure
/// must arrive through the task, never thrown by the call itself.
/// </summary>
[TestFixture]
[Category("Client")]
internal sealed class ReadCompletionPathTests
{
    private static readonly Uri BaseUrl = new("http://127.0.0.1:9/");

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static IEnumerable<(string Name, int Status, string Body)> Answers(ProviderCase provider)
    {
        var file = provider.Name + ".yaml";
        foreach (var example in SpecCatalog.Documents.Where(d => d.FileName == file).SelectMany(d => d.Examples))
        {
            yield return ($"{example.StatusKey} {example.Name}", example.StatusCode, example.Value.ToString(Newtonsoft.Json.Formatting.None));
        }

        yield return ("queued", 200, provider.QueuedBody());
        yield return ("running", 200, provider.RunningBody());
        yield return ("succeeded", 200, provider.SucceededBody("https://cdn.example.com/out/1.png"));
        yield return ("malformed JSON", 200, """{"status":""");
        yield return ("empty body", 200, string.Empty);
        yield return ("JSON null", 200, "null");
        yield return ("an array", 200, "[]");
        yield return ("an empty object", 200, "{}");
        yield return ("a number where an object is", 200, """{"data":5,"Response":5,"response":5,"result":5,"service_output":5}""");
        yield return ("server error", 500, "oops");
    }

    private static IEnumerable<TestCaseData> Cases() =>
        from provider in ProviderCase.All
        from answer in Answers(provider)
        select new TestCaseData(provider, answer.Status, answer.Body).SetArgDisplayNames(provider.Name, answer.Name);

    [TestCaseSource(nameof(Cases))]
    public async Task An_answer_already_there_reads_as_one_that_comes_later(ProviderCase provider, int status, string body)
    {
        var now = await ReadAsync(provider, status, body, later: false);
        var later = await ReadAsync(provider, status, body, later: true);

        Assert.Multiple(() =>
        {
            Assert.That(now.Outcome, Is.EqualTo(later.Outcome));
            Assert.That(now.Outcome, Does.StartWith("snapshot").Or.StartWith(nameof(TaskClientException)), "only snapshots and the library's errors leave a read");
            if (now.Outcome.StartsWith("snapshot", StringComparison.Ordinal))
            {
                // A successful read from a synchronous transport does not wait for anything.
                Assert.That(now.CompletedOnReturn, Is.True, "read completed when GetAsync returned");
            }

            Assert.That(later.CompletedOnReturn, Is.False, "the later answer was awaited");
        });
    }

    [TestCaseSource(typeof(ProviderCase), nameof(ProviderCase.All))]
    public async Task A_cancelled_read_is_cancelled_either_way(ProviderCase provider)
    {
        foreach (var later in new[] { false, true })
        {
            using var transport = new AnsweringHandler(200, provider.QueuedBody(), later);
            using var client = CreateClient(provider, transport);
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();

            var reading = client.GetAsync(provider.Task, cancelled.Token);
            transport.Release();

            Assert.That(async () => await reading.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(reading.IsCanceled, Is.True, later ? "answer later" : "answer at once");
        }
    }

    [TestCaseSource(typeof(ProviderCase), nameof(ProviderCase.All))]
    public void Argument_errors_of_the_adapter_arrive_through_the_task(ProviderCase provider)
    {
        using var transport = new AnsweringHandler(200, provider.QueuedBody(), later: false);
        using var http = new HttpClient(transport, disposeHandler: false) { BaseAddress = BaseUrl };
        var adapter = ProviderRegistry.Get(provider.Provider);

        var noTask = adapter.GetAsync(null!, http, CancellationToken.None);
        var badId = adapter.GetAsync(new TaskRef(provider.Provider, ".."), http, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(noTask.IsFaulted, Is.True);
            Assert.That(() => noTask.AsTask().GetAwaiter().GetResult(), Throws.ArgumentNullException);
            Assert.That(badId.IsFaulted, Is.True);
            Assert.That(() => badId.AsTask().GetAwaiter().GetResult(), Throws.InstanceOf<ArgumentException>());
            Assert.That(transport.Requests, Is.Zero, "nothing is sent for a refused argument");
        });
    }

    private static async Task<(string Outcome, bool CompletedOnReturn)> ReadAsync(ProviderCase provider, int status, string body, bool later)
    {
        using var transport = new AnsweringHandler(status, body, later);
        using var client = CreateClient(provider, transport);
        Task<TaskSnapshot> reading;
        try
        {
            reading = client.GetAsync(provider.Task);
        }
        catch (Exception exception)
        {
            Assert.Fail($"GetAsync threw instead of returning a task: {exception}");
            throw;
        }

        var completed = reading.IsCompleted;
        transport.Release();
        try
        {
            return (Describe(await reading.WaitAsync(Bound)), completed);
        }
        catch (TaskClientException exception)
        {
            return (Describe(exception), completed);
        }
        catch (Exception exception) when (exception is not TimeoutException)
        {
            return ($"{exception.GetType().Name}: {exception.Message}", completed);
        }
    }

    private static TaskClient CreateClient(ProviderCase provider, HttpMessageHandler transport)
    {
        var options = new AsyncTasksOptions { Retry = new RetryOptions { MaxRetries = 0 } };
        provider.Configure(options, BaseUrl);
        return new TaskClient(options, transport: transport);
    }

    private static string Describe(TaskSnapshot snapshot)
    {
        var outputs = string.Join(
            ", ",
            snapshot.Outputs.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Kind} {o.Url} {o.InlineData?.Length} {o.MimeType} {o.FileName} {o.ExpiresAt:O}")));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"snapshot {snapshot.Task} {snapshot.State} '{snapshot.ProviderState}' progress {snapshot.Progress} error {snapshot.Error?.Code}/{snapshot.Error?.Message} created {snapshot.CreatedAt:O} finished {snapshot.FinishedAt:O} request {snapshot.RequestId} raw {snapshot.RawResponse?.GetType().Name} outputs {outputs}");
    }

    private static string Describe(TaskClientException exception) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{nameof(TaskClientException)} {exception.GetType().Name} {exception.Provider} {exception.Kind} {exception.HttpStatus} {exception.ProviderCode} {exception.RequestId} {exception.InnerException?.GetType().Name}: {exception.Message}");

    /// <summary>
    /// Answers every request with one status and body: at once (a completed task), or later, once <see cref="Release"/>
    /// has been called (after the read has returned its task, so that it cannot have completed on return).
    /// </summary>
    private sealed class AnsweringHandler(int status, string body, bool later) : HttpMessageHandler
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private int _requests;

        public void Release() => _released.TrySetResult();

        public int Requests => _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<HttpResponseMessage>(cancellationToken);
            }

            return later ? AnswerLaterAsync(request) : Task.FromResult(Answer(request));
        }

        private async Task<HttpResponseMessage> AnswerLaterAsync(HttpRequestMessage request)
        {
            await _released.Task.ConfigureAwait(false);
            return Answer(request);
        }

        private HttpResponseMessage Answer(HttpRequestMessage request) => new((HttpStatusCode)status)
        {
            RequestMessage = request,
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
    }
}
