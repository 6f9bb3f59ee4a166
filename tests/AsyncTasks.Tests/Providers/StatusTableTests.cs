using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;
using AsyncTasks.Tests.Infrastructure;
using AsyncTasks.Tests.Infrastructure.Specs;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// The adapters' status tables and the specs cannot drift: every status value a spec documents
/// (<c>x-known-values</c> and <c>x-third-party-values</c>) is mapped to a real state, every table key is documented,
/// and every field with documented values is either a task state read here or explicitly not one.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class StatusTableTests
{
    private const string KnownValues = "x-known-values";
    private const string ThirdPartyValues = "x-third-party-values";

    /// <summary>The task-state fields of the specs and the provider whose table maps them (from each provider's case).</summary>
    private static readonly StatusField[] StatusFields =
    [
        .. ProviderCase.All.SelectMany(c => c.StatusFields.Select(field => StatusField.Of(c, field))),
    ];

    /// <summary>Fields with documented values that are not task states, so no table maps them (from each provider's case).</summary>
    private static readonly (string SpecFile, string Field)[] NotStates =
    [
        .. ProviderCase.All.SelectMany(c => c.NotStatusFields.Select(field => (c.SpecFile, field))),
    ];

    /// <summary>The providers whose spec documents status values (SkyEngine has only <c>done</c>).</summary>
    private static readonly Provider[] TableProviders = [.. StatusFields.Select(f => f.Provider).Distinct()];

    private static readonly Dictionary<string, JObject> Specs = new(StringComparer.Ordinal);

    public static IEnumerable<TestCaseData> DocumentedValues()
    {
        foreach (var field in StatusFields)
        {
            foreach (var list in (string[])[KnownValues, ThirdPartyValues])
            {
                foreach (var value in ValuesOf(field, list))
                {
                    yield return new TestCaseData(field, list, value).SetName($"EveryDocumentedValueIsMapped({field}, {list}: '{value}')");
                }
            }
        }
    }

    public static IEnumerable<TestCaseData> Fields() =>
        StatusFields.Select(f => new TestCaseData(f).SetName($"{{m}}({f})"));

    public static IEnumerable<Provider> Providers() => TableProviders;

    public static IEnumerable<string> SpecFiles() =>
        RepositoryLayout.SpecFiles().Select(Path.GetFileName).OfType<string>();

    [TestCaseSource(nameof(DocumentedValues))]
    public void EveryDocumentedValueIsMapped(StatusField field, string list, string value)
    {
        // Arrange
        var table = TableOf(field.Provider);

        // Act
        var found = table.TryGetValue(value, out var state);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.True, $"{field} documents '{value}' in {list}; {field.Provider}'s States table must map it");
            Assert.That(state, Is.Not.EqualTo(TaskState.Unknown), $"'{value}' is documented: it must map to a real state");
            Assert.That(ProviderValues.MapState(table, value), Is.EqualTo(state));
        }
    }

    [TestCaseSource(nameof(Fields))]
    public void EveryStatusFieldDocumentsItsValues(StatusField field)
    {
        // Arrange
        var property = PropertyOf(field);

        // Act
        var documented = ValuesOf(field, KnownValues);

        // Assert
        Assert.That(property, Is.Not.Null, $"{field} is not in the spec any more; update {field.Provider}'s {nameof(ProviderCase)}.{nameof(ProviderCase.StatusFields)}");
        Assert.That(documented, Is.Not.Empty, $"{field} must list its documented values in {KnownValues}");
    }

    [TestCaseSource(nameof(Providers))]
    public void EveryMappedValueIsDocumented(Provider provider)
    {
        // Arrange
        var documented = StatusFields
            .Where(f => f.Provider == provider)
            .SelectMany(f => ValuesOf(f, KnownValues).Concat(ValuesOf(f, ThirdPartyValues)))
            .ToHashSet(StringComparer.Ordinal);

        // Act
        var undocumented = TableOf(provider).Keys.Where(k => !documented.Contains(k)).Order(StringComparer.Ordinal).ToList();

        // Assert
        Assert.That(
            undocumented,
            Is.Empty,
            $"{provider}'s States table maps values its spec does not document; add them to {KnownValues} or {ThirdPartyValues} (with their source)");
    }

    [TestCaseSource(nameof(SpecFiles))]
    public void EveryFieldWithDocumentedValuesIsAccountedFor(string specFile)
    {
        // Arrange
        var expected = StatusFields.Where(f => f.SpecFile == specFile).Select(f => f.Field)
            .Concat(NotStates.Where(n => n.SpecFile == specFile).Select(n => n.Field))
            .Order(StringComparer.Ordinal)
            .ToList();

        // Act
        var found = FieldsWithDocumentedValues(Spec(specFile)).Order(StringComparer.Ordinal).ToList();

        // Assert
        Assert.That(
            found,
            Is.EqualTo(expected),
            $"{specFile}: a field with {KnownValues}/{ThirdPartyValues} is either a task state (list it in its provider's {nameof(ProviderCase)}.{nameof(ProviderCase.StatusFields)} and map its values) or not (list it in {nameof(ProviderCase.NotStatusFields)})");
    }

    [TestCaseSource(nameof(Providers))]
    public void TablesMatchTheTextExactlyAsSent(Provider provider)
    {
        // Arrange
        var table = TableOf(provider);

        // Act: the same text in another case or with other spacing is another, unlisted value.
        var variants = table.Keys
            .Select(SwapCase)
            .Where(v => !table.ContainsKey(v))
            .Select(v => ProviderValues.MapState(table, v))
            .ToList();

        // Assert
        Assert.That(variants, Is.Not.Empty.And.All.EqualTo(TaskState.Unknown));
    }

    [Test]
    public void SkyEngineMapsTheTwoTextsItReports()
    {
        Assert.That(
            SkyEngineAdapter.States,
            Is.EquivalentTo(new Dictionary<string, TaskState> { ["running"] = TaskState.Running, ["done"] = TaskState.Succeeded }));
    }

    private static IReadOnlyDictionary<string, TaskState> TableOf(Provider provider) => ProviderCase.Of(provider).States;

    private static JObject Spec(string specFile)
    {
        lock (Specs)
        {
            if (!Specs.TryGetValue(specFile, out var spec))
            {
                var path = Path.Combine(RepositoryLayout.SpecsDirectory, specFile);
                spec = SpecDocument.Load(path).Root;
                Specs[specFile] = spec;
            }

            return spec;
        }
    }

    private static JObject? PropertyOf(StatusField field) =>
        Spec(field.SpecFile)["components"]?["schemas"]?[field.Schema]?["properties"]?[field.Property] as JObject;

    /// <summary>The strings of one extension list of the field, following a local $ref and allOf.</summary>
    private static List<string> ValuesOf(StatusField field, string extension)
    {
        var values = new List<string>();
        var spec = Spec(field.SpecFile);
        var pending = new Stack<JToken?>([PropertyOf(field)]);
        for (var hops = 0; pending.Count > 0 && hops < 64; hops++)
        {
            if (pending.Pop() is not JObject schema)
            {
                continue;
            }

            values.AddRange((schema[extension] as JArray ?? []).Select(v => (string?)v).OfType<string>());
            foreach (var sub in schema["allOf"] as JArray ?? [])
            {
                pending.Push(sub);
            }

            if (schema["$ref"] is JValue { Type: JTokenType.String } reference)
            {
                pending.Push(spec.SelectToken(PointerToPath((string)reference!)));
            }
        }

        return values;
    }

    private static string PointerToPath(string reference) =>
        reference.StartsWith("#/", StringComparison.Ordinal)
            ? string.Join(string.Empty, reference[2..].Split('/').Select(s => $"['{s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)}']"))
            : throw new FormatException($"Only local $ref are supported, not '{reference}'.");

    /// <summary>Every node with documented values, named Schema.property under components.schemas, else by its JSON path.</summary>
    private static IEnumerable<string> FieldsWithDocumentedValues(JObject spec) =>
        spec.DescendantsAndSelf()
            .OfType<JObject>()
            .Where(o => o.ContainsKey(KnownValues) || o.ContainsKey(ThirdPartyValues))
            .Select(o => o.Parent is JProperty { Name: var property, Parent: JObject { Parent: JProperty { Name: "properties", Parent: JObject { Parent: JProperty { Name: var schema, Parent: JObject { Parent: JProperty { Name: "schemas" } } } } } } }
                ? $"{schema}.{property}"
                : o.Path)
            .Distinct(StringComparer.Ordinal);

    private static string SwapCase(string text) =>
        string.Concat(text.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

    /// <summary>One status property of a spec: <c>components.schemas.{Schema}.properties.{Property}</c>.</summary>
    public sealed record StatusField(Provider Provider, string SpecFile, string Schema, string Property)
    {
        /// <summary>The field <paramref name="field"/> (<c>Schema.property</c>) of <paramref name="provider"/>'s spec.</summary>
        public static StatusField Of(ProviderCase provider, string field) =>
            field.Split('.', 2) is [var schema, var property]
                ? new(provider.Provider, provider.SpecFile, schema, property)
                : throw new FormatException($"{provider}: '{field}' is not Schema.property.");

        public string Field => $"{Schema}.{Property}";

        public override string ToString() => $"{SpecFile} {Field}";
    }
}
