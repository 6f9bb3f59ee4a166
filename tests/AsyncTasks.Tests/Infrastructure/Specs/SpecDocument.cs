using System.Globalization;
using AsyncTasks.Cli.Demo;
using AsyncTasks.Tests.Infrastructure.Json;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.Specs;

/// <summary>
/// One OpenAPI document of specs/, read from YAML into JSON, with the parts the contract tests need: operations,
/// parameters with their examples, the auth header of each operation and every documented response example.
/// </summary>
internal sealed class SpecDocument
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly List<string> problems = [];

    private SpecDocument(string fullPath, string rawText, JObject root)
    {
        FullPath = fullPath;
        RawText = rawText;
        Root = root;
        Operations = ReadOperations();
    }

    /// <summary>The file name, e.g. <c>mountsea.yaml</c>.</summary>
    public string FileName => Path.GetFileName(FullPath);

    /// <summary>The full path of the file.</summary>
    public string FullPath { get; }

    /// <summary>The YAML text as on disk.</summary>
    public string RawText { get; }

    /// <summary>The document as JSON.</summary>
    public JObject Root { get; }

    /// <summary>The <c>openapi</c> version string.</summary>
    public string? OpenApiVersion => (string?)Root["openapi"];

    /// <summary>The operations, in document order.</summary>
    public IReadOnlyList<SpecOperation> Operations { get; }

    /// <summary>Every response example of every operation, in document order.</summary>
    public IEnumerable<SpecResponseExample> Examples => Operations.SelectMany(o => o.Examples);

    /// <summary>What the reader could not understand (unsupported security schemes, unresolvable $ref…).</summary>
    public IReadOnlyList<string> Problems => problems;

    /// <summary>Reads a spec file.</summary>
    public static SpecDocument Load(string path) => Parse(File.ReadAllText(path), Path.GetFullPath(path));

    /// <summary>Reads a spec from YAML (or JSON) text; <paramref name="path"/> names it in messages.</summary>
    public static SpecDocument Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        JToken json;
        try
        {
            json = JsonText.Parse(YamlToJson.Parse(text)?.ToJsonString() ?? "null");
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or FormatException)
        {
            throw new FormatException($"{Path.GetFileName(path)} is not valid YAML: {ex.Message}", ex);
        }

        return json is JObject root
            ? new SpecDocument(path, text, root)
            : throw new FormatException($"{Path.GetFileName(path)} is not a YAML mapping.");
    }

    /// <summary>The document as compact JSON text.</summary>
    public string ToJson() => Root.ToString(Formatting.None);

    /// <summary>Follows local <c>$ref</c>s (<c>#/...</c>) until a node without one; other nodes are returned as is.</summary>
    public JToken Resolve(JToken node)
    {
        ArgumentNullException.ThrowIfNull(node);
        for (var hops = 0; node is JObject obj && obj["$ref"] is JValue { Type: JTokenType.String } reference; hops++)
        {
            if (hops > 32)
            {
                throw new FormatException($"{FileName}: $ref cycle at {obj.Path}.");
            }

            node = ResolvePointer((string)reference!);
        }

        return node;
    }

    /// <summary>Resolves a local JSON pointer reference such as <c>#/components/schemas/Task</c>.</summary>
    public JToken ResolvePointer(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new FormatException($"{FileName}: only local $ref are supported, not '{reference}'.");
        }

        JToken current = Root;
        foreach (var raw in reference[2..].Split('/'))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current switch
            {
                JObject obj when obj.TryGetValue(segment, StringComparison.Ordinal, out var child) => child,
                JArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => throw new FormatException($"{FileName}: $ref '{reference}' does not resolve (no '{segment}')."),
            };
        }

        return current;
    }

    /// <inheritdoc />
    public override string ToString() => FileName;

    private List<SpecOperation> ReadOperations()
    {
        var operations = new List<SpecOperation>();
        if (Root["paths"] is not JObject paths)
        {
            problems.Add("The document has no 'paths'.");
            return operations;
        }

        foreach (var (path, pathItemToken) in paths)
        {
            if (TryResolve(pathItemToken!, $"paths['{path}']") is not JObject pathItem)
            {
                continue;
            }

            foreach (var method in HttpMethods)
            {
                if (pathItem[method] is not JObject node)
                {
                    continue;
                }

                var where = $"paths['{path}'].{method}";
                var operation = new SpecOperation(
                    this,
                    path,
                    method.ToUpperInvariant(),
                    (string?)node["operationId"],
                    ReadParameters(pathItem["parameters"], node["parameters"], where),
                    ReadAuthHeaders(node, where),
                    node);
                operation.Examples = ReadExamples(operation, where);
                operations.Add(operation);
            }
        }

        return operations;
    }

    private List<SpecParameter> ReadParameters(JToken? pathLevel, JToken? operationLevel, string where)
    {
        var result = new List<SpecParameter>();
        foreach (var token in new[] { pathLevel, operationLevel }.OfType<JArray>().SelectMany(a => a))
        {
            if (TryResolve(token, $"{where}.parameters") is not JObject parameter)
            {
                continue;
            }

            var name = (string?)parameter["name"];
            var locationText = (string?)parameter["in"];
            if (name is null || !Enum.TryParse<SpecParameterLocation>(locationText, ignoreCase: true, out var location))
            {
                problems.Add($"{where}: a parameter without a valid 'name'/'in' ({parameter.ToString(Formatting.None)}).");
                continue;
            }

            var schema = parameter["schema"] is { } schemaToken ? TryResolve(schemaToken, $"{where}.parameters[{name}].schema") as JObject : null;
            var spec = new SpecParameter(
                name,
                location,
                location == SpecParameterLocation.Path || ((bool?)parameter["required"] ?? false),
                ExampleText(parameter["example"]),
                schema);

            // An operation parameter overrides the path-item parameter with the same name and location.
            result.RemoveAll(p => p.Name == name && p.Location == location);
            result.Add(spec);
        }

        return result;
    }

    private List<SpecAuthHeader> ReadAuthHeaders(JObject operation, string where)
    {
        var headers = new List<SpecAuthHeader>();
        var security = operation["security"] ?? Root["security"];
        if (security is not JArray { Count: > 0 } requirements || requirements[0] is not JObject requirement)
        {
            return headers;
        }

        foreach (var (schemeName, _) in requirement)
        {
            var schemeToken = Root.SelectToken("components.securitySchemes")?[schemeName];
            if (schemeToken is null || TryResolve(schemeToken, $"components.securitySchemes.{schemeName}") is not JObject scheme)
            {
                problems.Add($"{where}: security scheme '{schemeName}' is not in components.securitySchemes.");
                continue;
            }

            var type = (string?)scheme["type"];
            if (type == "http" && string.Equals((string?)scheme["scheme"], "bearer", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(new SpecAuthHeader(schemeName, "Authorization", "Bearer "));
            }
            else if (type == "apiKey" && (string?)scheme["in"] == "header" && (string?)scheme["name"] is { Length: > 0 } headerName)
            {
                headers.Add(new SpecAuthHeader(schemeName, headerName, string.Empty));
            }
            else
            {
                problems.Add($"{where}: security scheme '{schemeName}' ({scheme.ToString(Formatting.None)}) is neither http bearer nor an apiKey header.");
            }
        }

        return headers;
    }

    private List<SpecResponseExample> ReadExamples(SpecOperation operation, string where)
    {
        var examples = new List<SpecResponseExample>();
        if (operation.Node["responses"] is not JObject responses)
        {
            problems.Add($"{where}: no 'responses'.");
            return examples;
        }

        foreach (var (status, responseToken) in responses)
        {
            if (status.StartsWith("x-", StringComparison.Ordinal)
                || TryResolve(responseToken!, $"{where}.responses.{status}") is not JObject response
                || response["content"] is not JObject content)
            {
                continue;
            }

            foreach (var (mediaType, mediaToken) in content)
            {
                if (!IsJson(mediaType) || mediaToken is not JObject media)
                {
                    continue;
                }

                var schema = media["schema"];
                var mediaWhere = $"{where}.responses.{status}.content['{mediaType}']";
                if (media["example"] is { } single)
                {
                    examples.Add(new SpecResponseExample(operation, status, "example", null, null, single, schema, $"{mediaWhere}.example"));
                }

                if (media["examples"] is not JObject named)
                {
                    continue;
                }

                foreach (var (name, exampleToken) in named)
                {
                    var exampleWhere = $"{mediaWhere}.examples.{name}";
                    if (TryResolve(exampleToken!, exampleWhere) is not JObject example)
                    {
                        continue;
                    }

                    if (example["value"] is not { } value)
                    {
                        problems.Add($"{exampleWhere}: no 'value' (externalValue is not supported).");
                        continue;
                    }

                    examples.Add(new SpecResponseExample(
                        operation,
                        status,
                        name,
                        (string?)example["summary"],
                        example["x-source"] is JValue { Type: JTokenType.String } source ? (string?)source : example["x-source"]?.ToString(Formatting.None),
                        value,
                        schema,
                        exampleWhere));
                }
            }
        }

        return examples;
    }

    private JToken? TryResolve(JToken token, string where)
    {
        try
        {
            return Resolve(token);
        }
        catch (FormatException ex)
        {
            problems.Add($"{where}: {ex.Message}");
            return null;
        }
    }

    private static bool IsJson(string mediaType)
    {
        var type = mediaType.Split(';', 2)[0].Trim();
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static string? ExampleText(JToken? example) => example switch
    {
        null or { Type: JTokenType.Null } => null,
        JValue { Type: JTokenType.String } text => (string?)text,
        JValue { Type: JTokenType.Boolean } flag => (bool)flag ? "true" : "false",
        JValue value => System.Convert.ToString(value.Value, CultureInfo.InvariantCulture),
        _ => example.ToString(Formatting.None),
    };
}
