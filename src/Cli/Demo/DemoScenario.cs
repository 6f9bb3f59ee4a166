using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AsyncTasks.Cli.Demo;

/// <summary>
/// One provider's part of the demo: which documented response examples of its spec the demo task goes through,
/// in order. Nothing here names a provider or an example: the spec (embedded in this assembly, <c>&lt;name&gt;.yaml</c>)
/// gives the examples, the request path and the task id, and the provider's own mapping tells which state each
/// example is.
/// </summary>
/// <param name="Provider">The provider.</param>
/// <param name="SpecFile">Its spec in specs/, e.g. <c>duomi.yaml</c>.</param>
/// <param name="Steps">Names of 200-response examples, first state to final state.</param>
internal sealed record DemoScenario(Provider Provider, string SpecFile, IReadOnlyList<string> Steps)
{
    /// <summary>The story every scenario tells, as far as its spec has examples for it.</summary>
    private static readonly TaskState[] Story = [TaskState.Queued, TaskState.Running, TaskState.Succeeded];

    /// <summary>The scenario name on the demo's server.</summary>
    public string ScenarioName => "asynctasks-demo-" + Provider.GetName();

    /// <summary>One task per provider, in the order of <see cref="ProviderNames.All"/>: queued → (running →) succeeded.</summary>
    public static async Task<IReadOnlyList<DemoScenario>> ForEveryProviderAsync(CancellationToken cancellationToken)
    {
        var scenarios = new List<DemoScenario>();
        foreach (var provider in ProviderNames.All)
        {
            scenarios.Add(await ForAsync(provider, cancellationToken).ConfigureAwait(false));
        }

        return scenarios;
    }

    /// <summary>
    /// The scenario of <paramref name="provider"/>: reads each 200 example of its spec through the real client (from
    /// memory, no network) and takes, in the spec's order, the first example that reads as queued, the first that
    /// reads as running and the first that reads as succeeded.
    /// </summary>
    /// <exception cref="InvalidOperationException">The spec has no succeeded example, or none before it.</exception>
    public static async Task<DemoScenario> ForAsync(Provider provider, CancellationToken cancellationToken)
    {
        var specFile = provider.GetName() + ".yaml";
        var operation = SpecResource.Load(specFile).SingleGetOperation();
        var task = new TaskRef(provider, operation.ExampleTaskId);
        using var transport = new OneAnswerTransport();
        var options = new AsyncTasksOptions { Retry = { MaxRetries = 0 } };
        options.For(provider).BaseUrl = OneAnswerTransport.BaseUri;
        options.For(provider).ApiKey = DemoCommand.DemoKey;
        using var client = new TaskClient(options, transport: transport);

        var firstOfState = new Dictionary<TaskState, string>();
        foreach (var name in operation.Example200Names)
        {
            transport.Body = operation.Example200(name).ToJsonString();
            try
            {
                var state = (await client.GetAsync(task, cancellationToken).ConfigureAwait(false)).State;
                firstOfState.TryAdd(state, name);
            }
            catch (TaskClientException)
            {
                // An example of an API error (HTTP 200 with an error envelope) is no step of a task.
            }
        }

        var steps = Story.Where(firstOfState.ContainsKey).Select(state => firstOfState[state]).ToList();
        return steps.Count >= 2 && firstOfState.ContainsKey(TaskState.Succeeded)
            ? new DemoScenario(provider, specFile, steps)
            : throw new InvalidOperationException(
                $"{specFile}: the demo of {provider.GetName()} needs a 200 example that reads as succeeded and one that reads as queued or running.");
    }

    /// <summary>
    /// Reads the spec and returns the demo task's id, its GET operation and the bodies it answers in turn: the first
    /// example twice (the get, then the wait's first poll), then each next example once, and the last one forever.
    /// </summary>
    public (string TaskId, SpecGetOperation Operation, IReadOnlyList<JsonNode> Bodies) Build()
    {
        var operation = SpecResource.Load(SpecFile).SingleGetOperation();
        var responses = Steps.Select(operation.Example200).ToList();
        return (operation.ExampleTaskId, operation, [responses[0], .. responses]);
    }

    /// <summary>Answers every request with <see cref="Body"/> as JSON with HTTP 200, from memory.</summary>
    private sealed class OneAnswerTransport : HttpMessageHandler
    {
        /// <summary>A loopback address the client accepts; nothing is sent to it.</summary>
        public static Uri BaseUri { get; } = new("http://127.0.0.1/");

        public string Body { get; set; } = "{}";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(Body, Encoding.UTF8, "application/json"),
                RequestMessage = request,
            });
    }
}
