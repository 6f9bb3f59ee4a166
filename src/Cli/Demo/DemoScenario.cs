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

    /// <summary>The WireMock scenario name.</summary>
    public string ScenarioName => "asynctasks-demo-" + Provider.GetName();

    /// <summary>
    /// Reads the spec and returns the demo task's id and its WireMock mappings: a scenario that answers the first
    /// example twice (the get, then the wait's first poll), then each next example once, and the last one forever.
    /// </summary>
    public (string TaskId, IReadOnlyList<JsonObject> Mappings) Build()
    {
        var spec = SpecResource.Load(SpecFile);
        var operation = spec.SingleGetOperation();
        var responses = Steps.Select(step => operation.Example200(step)).ToList();
        var sequence = new List<JsonNode> { responses[0] };
        sequence.AddRange(responses);

        var mappings = new List<JsonObject>();
        for (var i = 0; i < sequence.Count; i++)
        {
            var request = new JsonObject
            {
                ["method"] = "GET",
                ["urlPath"] = operation.ExamplePath,
            };
            if (operation.ExampleQuery.Count > 0)
            {
                var query = new JsonObject();
                foreach (var (name, value) in operation.ExampleQuery)
                {
                    query[name] = new JsonObject { ["equalTo"] = value };
                }

                request["queryParameters"] = query;
            }

            var mapping = new JsonObject
            {
                ["name"] = $"{Provider.GetName()} demo step {i + 1}",
                ["scenarioName"] = ScenarioName,
                ["requiredScenarioState"] = i == 0 ? "Started" : $"step-{i}",
                ["request"] = request,
                ["response"] = new JsonObject
                {
                    ["status"] = 200,
                    ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
                    ["body"] = sequence[i].ToJsonString(),
                },
            };
            if (i < sequence.Count - 1)
            {
                mapping["newScenarioState"] = $"step-{i + 1}";
            }

            mappings.Add(mapping);
        }

        return (operation.ExampleTaskId, mappings);
    }
}
