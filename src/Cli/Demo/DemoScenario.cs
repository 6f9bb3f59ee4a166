using System.Text.Json.Nodes;

namespace AsyncTasks.Cli.Demo;

/// <summary>
/// One provider's part of the demo: which documented response examples of its spec the demo task goes through,
/// in order. The examples themselves (and the request path and task id) are read from the spec, which is
/// embedded in this assembly: nothing here repeats them.
/// </summary>
/// <param name="Provider">The provider.</param>
/// <param name="SpecFile">Its spec in specs/, e.g. <c>duomi.yaml</c>.</param>
/// <param name="Steps">Names of 200-response examples, first state to final state.</param>
internal sealed record DemoScenario(Provider Provider, string SpecFile, IReadOnlyList<string> Steps)
{
    /// <summary>One task per provider: queued → (running →) succeeded.</summary>
    public static IReadOnlyList<DemoScenario> All { get; } =
    [
        new(Provider.Mountsea, "mountsea.yaml", ["pending", "processing", "videoCompleted"]),
        new(Provider.Duomi, "duomi.yaml", ["pending", "running", "succeeded"]),
        new(Provider.Kexiang, "kexiang.yaml", ["pending", "success"]),
        new(Provider.TencentVod, "tencent-vod.yaml", ["waiting", "processing", "videoFinished"]),
        new(Provider.SkyEngine, "skyengine.yaml", ["running", "doneVertexShape"]),
    ];

    /// <summary>The scenario name on the demo's server.</summary>
    public string ScenarioName => "asynctasks-demo-" + Provider.GetName();

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
}
