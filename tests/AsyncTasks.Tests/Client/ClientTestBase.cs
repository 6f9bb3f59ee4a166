using System.Globalization;
using AsyncTasks.Tests.Infrastructure.WireMock;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// What every client test shares: the WireMock server (reset before each test), a fake clock, a log capture at
/// Trace level, clients built the way applications build them, and the checks that no key leaked.
/// </summary>
internal abstract class ClientTestBase
{
    /// <summary>The real-time bound of any one call under test: nothing may hang.</summary>
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly List<IDisposable> _disposables = [];

    protected WireMockServer Server { get; private set; } = null!;

    protected FakeTimeProvider Clock { get; set; } = null!;

    /// <summary>Every log entry of the test, at every level (Trace included).</summary>
    protected FakeLogCollector Logs { get; private set; } = null!;

    protected ILoggerFactory LoggerFactory { get; private set; } = null!;

    /// <summary>The WireMock base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    protected Uri BaseUri => Server.BaseUri;

    /// <summary>The same server under another origin: <c>http://localhost:PORT/</c>.</summary>
    protected Uri OtherOrigin => new(string.Create(CultureInfo.InvariantCulture, $"http://localhost:{Server.Port}/"));

    [SetUp]
    public async Task ResetClientTestAsync()
    {
        Server = WireMockServer.Shared;
        await Server.ResetAsync();
        Clock = new FakeTimeProvider();
        Logs = new FakeLogCollector();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder =>
            builder.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));
    }

    [TearDown]
    public void DisposeClientTest()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            disposable.Dispose();
        }

        _disposables.Clear();
        LoggerFactory?.Dispose();
    }

    /// <summary>
    /// Options with every provider pointed at WireMock with its own key; two fast retries (on the fake clock) and a
    /// 10 s request timeout, then <paramref name="configure"/>.
    /// </summary>
    protected AsyncTasksOptions CreateOptions(Action<AsyncTasksOptions>? configure = null)
    {
        var options = new AsyncTasksOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            Retry = new RetryOptions { MaxRetries = 2, Delay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) },
        };
        foreach (var provider in ProviderCase.All)
        {
            provider.Configure(options, BaseUri);
        }

        configure?.Invoke(options);
        return options;
    }

    /// <summary>A client as an application creates it, on the fake clock and the log capture; disposed after the test.</summary>
    protected TaskClient CreateClient(AsyncTasksOptions? options = null, HttpMessageHandler? transport = null)
    {
        var client = new TaskClient(options ?? CreateOptions(), LoggerFactory, Clock, transport);
        _disposables.Add(client);
        return client;
    }

    /// <summary>
    /// A client on a manual clock (time moves only when the test advances it) whose transport records every request,
    /// with <paramref name="provider"/>'s task answering "running".
    /// </summary>
    protected async Task<(TaskClient Client, RecordingTransport Transport)> RunningTaskOnManualClockAsync(ProviderCase provider)
    {
        Clock = new FakeTimeProvider(autoAdvance: false);
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var transport = Track(new RecordingTransport(Clock));
        return (CreateClient(transport: transport), transport);
    }

    /// <summary>Registers something to dispose after the test.</summary>
    protected T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Bounds a call in real time: a hang fails the test with a <see cref="TimeoutException"/>.</summary>
    protected static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Bound);

    /// <summary>Bounds a call in real time.</summary>
    protected static Task Within(Task task) => task.WaitAsync(Bound);

    /// <summary>Stubs a read of <paramref name="provider"/>'s task (its default id unless given).</summary>
    protected Task StubReadAsync(ProviderCase provider, WireMockResponse response, string? id = null) =>
        Server.AddStubAsync(provider.Stub(id).RespondingWith(response));

    /// <summary>
    /// Stubs a sequence of answers to reads of the task: the i-th read gets the i-th answer and the last one repeats.
    /// </summary>
    protected async Task StubSequenceAsync(ProviderCase provider, params WireMockResponse[] responses)
    {
        var scenario = "seq-" + provider.Name;
        for (var i = 0; i < responses.Length; i++)
        {
            var state = i == 0 ? WireMockStub.ScenarioStarted : "step-" + i.ToString(CultureInfo.InvariantCulture);
            var next = i == responses.Length - 1 ? null : "step-" + (i + 1).ToString(CultureInfo.InvariantCulture);
            await Server.AddStubAsync(provider.Stub().InScenario(scenario, state, next).RespondingWith(responses[i]));
        }
    }

    /// <summary>The journal's reads of <paramref name="provider"/>'s task, oldest first.</summary>
    protected async Task<IReadOnlyList<LoggedRequest>> ReadsAsync(ProviderCase provider, string? id = null)
    {
        var url = provider.UrlOf(id);
        return [.. (await Server.GetRequestsAsync()).Where(r => r.Url == url)];
    }

    /// <summary>A 200 JSON answer.</summary>
    protected static WireMockResponse Ok(string json) => WireMockResponse.Json(200, json);

    /// <summary>Fails when any provider's key appears in <paramref name="text"/>.</summary>
    protected static void AssertNoKey(string? text, string where)
    {
        foreach (var provider in ProviderCase.All)
        {
            Assert.That(text ?? string.Empty, Does.Not.Contain(provider.ApiKey).And.Not.Contain("SECRET"), $"a key leaked into {where}");
        }
    }

    /// <summary>Fails when any key appears in the exception's message, its ToString() or any inner exception's.</summary>
    protected static void AssertNoKey(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            AssertNoKey(current.Message, $"the message of {current.GetType().Name}");
            AssertNoKey(current.ToString(), $"the ToString() of {current.GetType().Name}");
        }
    }

    /// <summary>Fails when any key appears in any log entry.</summary>
    protected void AssertNoKeyInLogs() => AssertNoKey(LogText(), "the logs");

    /// <summary>Every log entry as one text block: message, structured values, scopes and the exception's full ToString().</summary>
    protected string LogText() => string.Join(Environment.NewLine, Logs.GetSnapshot().Select(record =>
        string.Join(
            " | ",
            [
                string.Create(CultureInfo.InvariantCulture, $"[{record.Level}] {record.Category} ({record.Id.Id}): {record.Message}"),
                .. (record.StructuredState ?? []).Select(pair => $"{pair.Key}={pair.Value}"),
                .. record.Scopes.Select(scope => $"scope {scope}"),
                .. record.Exception is { } exception ? [$"exception {exception}"] : Array.Empty<string>(),
            ])));
}
