namespace AsyncTasks.Tests.Infrastructure;

/// <summary>Locates the repository from the test assembly, so no test depends on where the clone lives.</summary>
internal static class RepositoryLayout
{
    private static readonly string[] RootMarkers = ["AsyncTasks.sln", "AsyncTasks.slnx", "global.json"];

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the nearest ancestor of the test assembly holding the solution or global.json.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The folder of the OpenAPI documents.</summary>
    public static string SpecsDirectory => Path.Combine(Root, "specs");

    /// <summary>The project that turns the specs into clients; its OpenApiSpec items map spec → namespace/class.</summary>
    public static string GeneratedProjectFile => Path.Combine(Root, "src", "Generated", "AsyncTasks.Generated.csproj");

    /// <summary>The specs present on disk (specs/*.yaml), sorted by file name.</summary>
    public static IReadOnlyList<string> SpecFiles()
    {
        if (!Directory.Exists(SpecsDirectory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(SpecsDirectory, "*.yaml").Order(StringComparer.Ordinal)];
    }

    private static string FindRoot()
    {
        var start = Path.GetDirectoryName(typeof(RepositoryLayout).Assembly.Location) ?? AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (RootMarkers.Any(marker => File.Exists(Path.Combine(dir.FullName, marker))))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"Cannot find the repository root: no ancestor of '{start}' contains {string.Join(" or ", RootMarkers)}.");
    }
}
