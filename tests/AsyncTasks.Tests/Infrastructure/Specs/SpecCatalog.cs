using System.Xml.Linq;

namespace AsyncTasks.Tests.Infrastructure.Specs;

/// <summary>The generated client of one spec, as declared by an OpenApiSpec item of the Generated project.</summary>
/// <param name="SpecFileName">The spec file name, e.g. <c>mountsea.yaml</c>.</param>
/// <param name="Namespace">The namespace of its generated types.</param>
/// <param name="ClassName">The generated client class.</param>
internal sealed record GeneratedClientEntry(string SpecFileName, string Namespace, string ClassName)
{
    /// <summary>The full name of the client class.</summary>
    public string FullName => $"{Namespace}.{ClassName}";
}

/// <summary>The outcome of reading one spec file: the document, or why it could not be read.</summary>
/// <param name="FileName">The spec file name.</param>
/// <param name="Document">The document, when it could be read.</param>
/// <param name="Error">Why it could not, otherwise.</param>
internal sealed record SpecLoadResult(string FileName, SpecDocument? Document, string? Error)
{
    /// <inheritdoc />
    public override string ToString() => FileName;
}

/// <summary>Every spec of specs/*.yaml (read once per run) and the spec → generated client mapping.</summary>
internal static class SpecCatalog
{
    private static readonly Lazy<IReadOnlyList<SpecLoadResult>> LazySpecs = new(LoadAll);
    private static readonly Lazy<IReadOnlyDictionary<string, GeneratedClientEntry>> LazyClients = new(ReadGeneratedProject);

    /// <summary>Every specs/*.yaml file, read or with its read error, sorted by file name.</summary>
    public static IReadOnlyList<SpecLoadResult> Specs => LazySpecs.Value;

    /// <summary>The documents that could be read.</summary>
    public static IEnumerable<SpecDocument> Documents => Specs.Select(s => s.Document).OfType<SpecDocument>();

    /// <summary>
    /// The OpenApiSpec items of src/Generated/AsyncTasks.Generated.csproj, by spec file name (case-insensitive):
    /// the one place that says which namespace and class each spec is generated into.
    /// </summary>
    public static IReadOnlyDictionary<string, GeneratedClientEntry> GeneratedClients => LazyClients.Value;

    /// <summary>The generated client class of a spec; fails with a clear message when it is not there.</summary>
    public static Type ClientTypeFor(SpecDocument spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!GeneratedClients.TryGetValue(spec.FileName, out var entry))
        {
            throw new InvalidOperationException(
                $"{spec.FileName} has no OpenApiSpec item in {RepositoryLayout.GeneratedProjectFile}, so no client is generated for it.");
        }

        return typeof(AsyncTasks.Generated.ApiException).Assembly.GetType(entry.FullName, throwOnError: false)
            ?? throw new InvalidOperationException(
                $"The generated assembly has no type {entry.FullName} (for {spec.FileName}); was src/Generated rebuilt after the spec changed?");
    }

    private static List<SpecLoadResult> LoadAll()
    {
        var results = new List<SpecLoadResult>();
        foreach (var file in RepositoryLayout.SpecFiles())
        {
            try
            {
                results.Add(new SpecLoadResult(Path.GetFileName(file), SpecDocument.Load(file), null));
            }
            catch (Exception ex) when (ex is FormatException or IOException)
            {
                results.Add(new SpecLoadResult(Path.GetFileName(file), null, ex.Message));
            }
        }

        return results;
    }

    private static Dictionary<string, GeneratedClientEntry> ReadGeneratedProject()
    {
        var project = XDocument.Load(RepositoryLayout.GeneratedProjectFile);
        var entries = new Dictionary<string, GeneratedClientEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in project.Descendants().Where(e => e.Name.LocalName == "OpenApiSpec"))
        {
            var include = (string?)item.Attribute("Include");
            var ns = (string?)item.Attribute("Namespace") ?? (string?)item.Elements().FirstOrDefault(e => e.Name.LocalName == "Namespace");
            var className = (string?)item.Attribute("ClassName") ?? (string?)item.Elements().FirstOrDefault(e => e.Name.LocalName == "ClassName");
            if (include is null || ns is null || className is null)
            {
                continue;
            }

            // Include is e.g. "$(AsyncTasksSpecsDir)mountsea.yaml": the file name is all the mapping needs.
            var fileName = include.Replace('\\', '/').Split('/', ')')[^1];
            entries[fileName] = new GeneratedClientEntry(fileName, ns, className);
        }

        return entries;
    }
}
