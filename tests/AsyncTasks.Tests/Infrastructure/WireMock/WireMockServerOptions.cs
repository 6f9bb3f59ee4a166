namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>How <see cref="WireMockServer.Start"/> runs WireMock; every property has a working default.</summary>
internal sealed record WireMockServerOptions
{
    /// <summary>The standalone jar; <see cref="RepositoryLayout.WireMockJar"/> when <see langword="null"/>.</summary>
    public string? JarPath { get; init; }

    /// <summary>The java executable; <c>$JAVA_HOME/bin/java</c> or <c>java</c> on the PATH when <see langword="null"/>.</summary>
    public string? JavaExecutable { get; init; }

    /// <summary>The bound of the start (JVM start and health check); <see cref="WireMockServer.DefaultStartupTimeout"/> when <see langword="null"/>.</summary>
    public TimeSpan? StartupTimeout { get; init; }

    /// <summary>More WireMock command line options, e.g. <c>--verbose</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}
