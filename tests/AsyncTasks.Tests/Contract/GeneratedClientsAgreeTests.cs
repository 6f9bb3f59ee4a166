using AsyncTasks.Tests.Infrastructure.Specs;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Contract;

/// <summary>
/// Differential contract test: every documented response example of a spec (and its first success example with an
/// undeclared field, and with an unlisted status value) is served by WireMock and read by both generated clients, NSwag's and Kiota's.
/// Both must send the documented request and read the same values leaf by leaf; a difference is a spec ambiguity,
/// fixed in the spec or listed with its reason under "Generated clients disagree" in specs/README.md.
/// </summary>
[TestFixture]
[Category("Contract")]
internal sealed class GeneratedClientsAgreeTests
{
    private const string UnlistedStatus = "zz-unlisted-status-42";
    private const string UnknownField = "zzUnknownField";

    [TestCaseSource(typeof(SpecCases), nameof(SpecCases.SpecFiles))]
    public async Task BothClientsReadEveryExampleAlike(SpecLoadResult spec)
    {
        // Arrange
        Assert.That(spec.Document, Is.Not.Null, $"{spec.FileName} could not be read: {spec.Error}");
        var accepted = ClientDisagreements.Recorded.Where(d => d.SpecFile == spec.FileName).ToList();
        var unexpected = new List<string>();
        var matched = new HashSet<ClientDisagreement>();
        var replays = 0;

        foreach (var (example, body, label) in Cases(spec.Document!))
        {
            // Act
            replays++;
            var nswag = await ExampleReplay.RunAsync(example, body);
            var kiota = await ExampleReplay.RunAsync(example, body, (http, token) => ReadWithKiotaAsync(example.Operation, http, token));

            // Assert
            ExampleReplay.AssertSingleDocumentedRequest(kiota);

            var differences = ClientProjection.Differences(
                ClientProjection.FromNSwag(nswag.Result, nswag.Exception),
                ClientProjection.FromKiota(kiota.Result, kiota.Exception));
            foreach (var difference in differences)
            {
                var recorded = accepted.FirstOrDefault(d => d.Covers(example.Name, difference));
                if (recorded is null)
                {
                    unexpected.Add($"{label}: {difference}");
                }
                else
                {
                    matched.Add(recorded);
                }
            }
        }

        TestContext.Out.WriteLine($"{spec.FileName}: {replays} replays through both clients, {unexpected.Count} unexpected and {matched.Count} recorded differences.");
        Assert.That(
            unexpected,
            Is.Empty,
            $"{spec.FileName}: the NSwag and Kiota clients read documented examples differently. Fix the spec, or record each " +
            $"accepted difference with its reason under \"{ClientDisagreements.Heading}\" in specs/README.md:{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", unexpected));
        Assert.That(
            accepted.Except(matched).Select(d => d.ToString()),
            Is.Empty,
            $"{spec.FileName}: recorded differences that no longer occur; remove them from specs/README.md.");
    }

    private static async Task<object?> ReadWithKiotaAsync(SpecOperation operation, HttpClient http, CancellationToken cancellationToken)
    {
        using var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = http.BaseAddress!.ToString().TrimEnd('/'),
        };
        return await KiotaOperation.InvokeAsync(operation, adapter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every example as documented, then the first success example with a field no schema declares added at its
    /// root (kept or lost alike), then the first success example whose status-like value is one no spec lists.
    /// </summary>
    private static IEnumerable<(SpecResponseExample Example, JToken Body, string Label)> Cases(SpecDocument spec)
    {
        foreach (var example in spec.Examples)
        {
            yield return (example, example.Value, example.ToString());
        }

        if (spec.Examples.FirstOrDefault(e => e.IsSuccess && e.Value is JObject) is { } first)
        {
            var body = (JObject)first.Value.DeepClone();
            body[UnknownField] = new JObject { ["nested"] = new JArray(1, "two"), ["flag"] = true };
            yield return (first, body, $"{first} with an undeclared field '{UnknownField}'");
        }

        var unlisted = spec.Examples
            .Where(e => e.IsSuccess)
            .Select(e => (Example: e, Locations: KnownValuesLocator.Find(e.Operation.Spec, e.Schema, e.Value)))
            .FirstOrDefault(x => x.Locations.Count > 0);
        if (unlisted.Example is not null)
        {
            var body = unlisted.Example.Value.DeepClone();
            unlisted.Locations[0].Replace(body, new JValue(UnlistedStatus));
            yield return (unlisted.Example, body, $"{unlisted.Example} with {unlisted.Locations[0]} = '{UnlistedStatus}'");
        }
    }
}
