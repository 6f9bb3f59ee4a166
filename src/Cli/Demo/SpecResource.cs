using System.Text.Json.Nodes;

namespace AsyncTasks.Cli.Demo;

/// <summary>An OpenAPI document of specs/, embedded in this assembly at build time and read as JSON.</summary>
internal sealed class SpecResource
{
    private const string ResourcePrefix = "AsyncTasks.Cli.Specs.";

    private SpecResource(string fileName, JsonObject root)
    {
        FileName = fileName;
        Root = root;
    }

    /// <summary>The spec's file name, e.g. <c>duomi.yaml</c>.</summary>
    public string FileName { get; }

    /// <summary>The document.</summary>
    public JsonObject Root { get; }

    /// <summary>The file names of the embedded specs.</summary>
    public static IReadOnlyList<string> Names =>
        [.. typeof(SpecResource).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(name => name[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)];

    /// <summary>Loads an embedded spec.</summary>
    public static SpecResource Load(string fileName)
    {
        using var stream = typeof(SpecResource).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"The spec {fileName} is not embedded in the asynctasks assembly.");
        using var reader = new StreamReader(stream);
        return YamlToJson.Parse(reader.ReadToEnd()) is JsonObject root
            ? new SpecResource(fileName, root)
            : throw new FormatException($"{fileName} is not a YAML mapping.");
    }

    /// <summary>The spec's one GET operation (each spec documents exactly one task-result read).</summary>
    public SpecGetOperation SingleGetOperation()
    {
        var operations = (Root["paths"] as JsonObject ?? [])
            .Where(path => path.Value?["get"] is JsonObject)
            .Select(path => new SpecGetOperation(this, path.Key, (JsonObject)path.Value!["get"]!, path.Value as JsonObject))
            .ToList();
        return operations.Count == 1
            ? operations[0]
            : throw new FormatException($"{FileName} has {operations.Count} GET operations; the demo expects one.");
    }
}

/// <summary>The GET operation of a spec: its path and parameter examples and its 200 response examples.</summary>
internal sealed class SpecGetOperation
{
    private readonly SpecResource spec;
    private readonly JsonObject operation;
    private readonly List<(string Name, string In, string Example)> parameters;

    internal SpecGetOperation(SpecResource spec, string pathTemplate, JsonObject operation, JsonObject? pathItem)
    {
        this.spec = spec;
        this.operation = operation;
        PathTemplate = pathTemplate;
        parameters = [];
        foreach (var parameter in Parameters(pathItem).Concat(Parameters(operation)))
        {
            var name = (string?)parameter["name"] ?? throw new FormatException($"{spec.FileName}: a parameter without a name.");
            var location = (string?)parameter["in"] ?? "query";
            var example = parameter["example"]?.ToString()
                ?? throw new FormatException($"{spec.FileName}: parameter {name} has no example.");
            parameters.RemoveAll(p => p.Name == name && p.In == location);
            parameters.Add((name, location, example));
        }
    }

    /// <summary>The path template, e.g. <c>/api/gemini/nano-banana/{id}</c>.</summary>
    public string PathTemplate { get; }

    /// <summary>The path with every path parameter replaced by its (escaped) example.</summary>
    public string ExamplePath => parameters
        .Where(p => p.In == "path")
        .Aggregate(PathTemplate, (path, p) => path.Replace("{" + p.Name + "}", Uri.EscapeDataString(p.Example), StringComparison.Ordinal));

    /// <summary>The query parameters with their examples.</summary>
    public IReadOnlyList<(string Name, string Value)> ExampleQuery =>
        [.. parameters.Where(p => p.In == "query").Select(p => (p.Name, p.Example))];

    /// <summary>
    /// The facade's task id for the example request: the one id parameter's example, or, when the path carries
    /// several (SkyEngine's operation name), the path from the first templated segment's name on, e.g.
    /// <c>projects/my-project/…/operations/4f1d…</c>.
    /// </summary>
    public string ExampleTaskId
    {
        get
        {
            var ids = parameters.Where(p => p.In is "path" or "query").ToList();
            if (ids.Count == 1)
            {
                return ids[0].Example;
            }

            var segments = ExamplePathSegments();
            var firstTemplated = Array.FindIndex(PathTemplate.Trim('/').Split('/'), s => s.StartsWith('{'));
            return firstTemplated < 1
                ? throw new FormatException($"{spec.FileName}: cannot tell the task id of {PathTemplate}.")
                : string.Join('/', segments[(firstTemplated - 1)..]);
        }
    }

    /// <summary>The names of the 200 application/json response's examples, in the spec's order.</summary>
    public IReadOnlyList<string> Example200Names =>
        [.. (Examples200 as JsonObject ?? []).Select(example => example.Key)];

    /// <summary>The <c>value</c> of a named example of the 200 application/json response.</summary>
    public JsonNode Example200(string name) =>
        Examples200?[name]?["value"]?.DeepClone()
        ?? throw new FormatException($"{spec.FileName}: the 200 response has no example '{name}'.");

    private JsonNode? Examples200 => operation["responses"]?["200"]?["content"]?["application/json"]?["examples"];

    private string[] ExamplePathSegments() =>
        [.. parameters
            .Where(p => p.In == "path")
            .Aggregate(PathTemplate, (path, p) => path.Replace("{" + p.Name + "}", p.Example, StringComparison.Ordinal))
            .Trim('/')
            .Split('/')];

    private static IEnumerable<JsonObject> Parameters(JsonObject? owner) =>
        (owner?["parameters"] as JsonArray ?? []).OfType<JsonObject>();
}
