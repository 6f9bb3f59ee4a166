namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>Paths in the repository, found from the running assembly (works from bin/ and from BenchmarkDotNet's generated projects).</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the folder holding AsyncTasks.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>specs/.</summary>
    public static string SpecsDirectory => Path.Combine(Root, "specs");

    private static string FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable("ASYNCTASKS_ROOT");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "AsyncTasks.sln")))
        {
            return configured;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AsyncTasks.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            "Cannot find the repository root (AsyncTasks.sln) above the benchmark binaries or the current folder; set ASYNCTASKS_ROOT.");
    }
}
