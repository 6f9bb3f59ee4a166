using System.Text;
using System.Text.Json.Nodes;
using AsyncTasks.Cli.Demo;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>
/// Documented examples of specs/*.yaml (never copied into the benchmarks), read with the demo's spec reader: the
/// body of a named response example and the example value of a parameter of the spec's GET operation.
/// </summary>
public static class SpecExamples
{
    /// <summary>The example <paramref name="exampleName"/> of HTTP <paramref name="status"/> of the spec's GET operation, as compact UTF-8 JSON.</summary>
    public static byte[] ResponseBody(string specFile, string exampleName, string status = "200")
    {
        var value = GetOperation(specFile)["responses"]?[status]?["content"]?["application/json"]?["examples"]?[exampleName]?["value"]
            ?? throw new InvalidOperationException($"{specFile} has no response example '{exampleName}' for HTTP {status}.");
        return Encoding.UTF8.GetBytes(value.ToJsonString());
    }

    /// <summary>The example value of the GET operation's parameter <paramref name="name"/>.</summary>
    public static string Parameter(string specFile, string name) =>
        (GetOperation(specFile)["parameters"]?.AsArray() ?? [])
            .FirstOrDefault(parameter => (string?)parameter?["name"] == name)?["example"]?.ToString()
            ?? throw new InvalidOperationException($"{specFile} has no example for parameter '{name}'.");

    private static JsonObject GetOperation(string specFile) =>
        (SpecResource.Load(specFile).Root["paths"]?.AsObject() ?? []).Select(path => path.Value?["get"]).OfType<JsonObject>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{specFile} has no GET operation.");
}
