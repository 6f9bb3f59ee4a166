using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>
/// Reads documented examples out of specs/*.yaml (never copied into the benchmarks): the body of a named
/// response example and the example value of a path or query parameter of the spec's GET operation.
/// </summary>
public static partial class SpecExamples
{
    private static readonly Dictionary<string, JsonObject> Cache = new(StringComparer.Ordinal);

    /// <summary>The example <paramref name="exampleName"/> of HTTP <paramref name="status"/> of the spec's GET operation, as compact UTF-8 JSON.</summary>
    public static byte[] ResponseBody(string specFile, string exampleName, string status = "200")
    {
        var operation = GetOperation(specFile);
        var value = operation["responses"]?[status]?["content"]?["application/json"]?["examples"]?[exampleName]?["value"]
            ?? throw new InvalidOperationException($"{specFile} has no response example '{exampleName}' for HTTP {status}.");
        return Encoding.UTF8.GetBytes(value.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    /// <summary>The example value of the GET operation's parameter <paramref name="name"/>.</summary>
    public static string Parameter(string specFile, string name)
    {
        var operation = GetOperation(specFile);
        foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
        {
            if ((string?)parameter?["name"] == name && parameter?["example"] is JsonValue example)
            {
                return example.ToString();
            }
        }

        throw new InvalidOperationException($"{specFile} has no example for parameter '{name}'.");
    }

    private static JsonObject GetOperation(string specFile)
    {
        JsonObject root;
        lock (Cache)
        {
            if (!Cache.TryGetValue(specFile, out root!))
            {
                root = Load(Path.Combine(Repository.SpecsDirectory, specFile));
                Cache[specFile] = root;
            }
        }

        foreach (var (_, item) in root["paths"]?.AsObject() ?? [])
        {
            if (item?["get"] is JsonObject get)
            {
                return get;
            }
        }

        throw new InvalidOperationException($"{specFile} has no GET operation.");
    }

    /// <summary>Reads a YAML file into JSON with the YAML 1.2 core schema (quoted scalars are strings).</summary>
    public static JsonObject Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path, Encoding.UTF8))
        {
            stream.Load(reader);
        }

        return Convert(stream.Documents[0].RootNode) as JsonObject
            ?? throw new FormatException($"{path} is not a YAML mapping.");
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            new KeyValuePair<string, JsonNode?>(((YamlScalarNode)pair.Key).Value ?? string.Empty, Convert(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new FormatException($"Unsupported YAML node at {node.Start}."),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (Float().IsMatch(text) && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
