using AsyncTasks.Tests.Infrastructure;
using AsyncTasks.Tests.Infrastructure.Specs;
using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Cli.Tests.Support;

/// <summary>The specs' documented examples, served by the shared WireMock server for the command line to read.</summary>
internal static class SpecExamples
{
    /// <summary>The key the tests pass; it must never appear in anything the command line prints.</summary>
    public const string Key = "sk-cli-TEST-SECRET-5f0c2a9e7d41b8";

    private static readonly Lazy<IReadOnlyList<SpecDocument>> Documents = new(() =>
        [.. RepositoryLayout.SpecFiles().Select(SpecDocument.Load)]);

    /// <summary>The spec of a provider (specs/&lt;name&gt;.yaml).</summary>
    public static SpecDocument For(Provider provider) =>
        Documents.Value.Single(d => d.FileName == provider.GetName() + ".yaml");

    /// <summary>Every documented response example of every spec.</summary>
    public static IEnumerable<(Provider Provider, SpecResponseExample Example)> All() =>
        ProviderNames.All.SelectMany(p => For(p).Examples.Select(e => (p, e)));

    /// <summary>One named example of a provider's spec.</summary>
    public static SpecResponseExample Example(Provider provider, string name, string statusKey = "200") =>
        For(provider).Examples.Single(e => e.Name == name && e.StatusKey == statusKey);

    /// <summary>The task id the example request is for: the id parameter's example, or SkyEngine's operation name.</summary>
    public static string TaskId(Provider provider)
    {
        var operation = For(provider).Operations.Single();
        var ids = operation.Parameters.Where(p => p.Location is SpecParameterLocation.Path or SpecParameterLocation.Query).ToList();
        if (ids.Count == 1)
        {
            return ids[0].Example!;
        }

        var path = ids.Aggregate(operation.Path, (current, p) => current.Replace("{" + p.Name + "}", p.Example, StringComparison.Ordinal));
        return path[path.IndexOf("projects/", StringComparison.Ordinal)..];
    }

    /// <summary>A stub for the provider's documented request (path and query from the parameter examples).</summary>
    public static WireMockStub RequestStub(Provider provider)
    {
        var operation = For(provider).Operations.Single();
        var path = operation.Parameters
            .Where(p => p.Location == SpecParameterLocation.Path)
            .Aggregate(operation.Path, (current, p) => current.Replace("{" + p.Name + "}", Uri.EscapeDataString(p.Example!), StringComparison.Ordinal));
        var stub = WireMockStub.ForPath(new HttpMethod(operation.Method), path);
        foreach (var query in operation.Parameters.Where(p => p.Location == SpecParameterLocation.Query))
        {
            stub = stub.WithQueryParameter(query.Name, query.Example!);
        }

        return stub;
    }

    /// <summary>Resets WireMock and serves <paramref name="body"/> with <paramref name="status"/> for the provider's request.</summary>
    public static async Task ServeAsync(Provider provider, int status, JToken body)
    {
        var server = WireMockServer.Shared;
        await server.ResetAsync().ConfigureAwait(false);
        await server.AddStubAsync(RequestStub(provider).RespondingWith(WireMockResponse.Json(status, body))).ConfigureAwait(false);
    }

    /// <summary>Resets WireMock and serves the examples in order as a scenario; the last one stays.</summary>
    public static async Task ServeSequenceAsync(Provider provider, params string[] exampleNames)
    {
        var server = WireMockServer.Shared;
        await server.ResetAsync().ConfigureAwait(false);
        for (var i = 0; i < exampleNames.Length; i++)
        {
            var example = Example(provider, exampleNames[i]);
            var stub = RequestStub(provider)
                .InScenario("cli", i == 0 ? WireMockStub.ScenarioStarted : $"step-{i}", i < exampleNames.Length - 1 ? $"step-{i + 1}" : null)
                .RespondingWith(WireMockResponse.Json(example.StatusCode, example.Value));
            await server.AddStubAsync(stub).ConfigureAwait(false);
        }
    }

    /// <summary>The arguments that point the command line at WireMock with the test key.</summary>
    public static string[] Target(params string[] extra) =>
        ["--base-url", WireMockServer.Shared.BaseUri.ToString(), "--api-key", Key, .. extra];
}
