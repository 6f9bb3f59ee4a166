namespace AsyncTasks.Cli;

/// <summary>The process exit codes of <c>asynctasks</c>; README "Errors and exit codes" lists them.</summary>
internal static class ExitCodes
{
    /// <summary>The query succeeded (get, providers), the task succeeded (wait), every demo task succeeded.</summary>
    public const int Success = 0;

    /// <summary>The task ended failed, cancelled or timed out at the provider (wait, demo).</summary>
    public const int TaskUnsuccessful = 1;

    /// <summary>Usage or configuration error: unknown provider, bad option, malformed or refused base URL, missing key or base URL.</summary>
    public const int Usage = 2;

    /// <summary>The provider or the network failed: authentication, not found, rate limited, server, protocol, transport, request timeout.</summary>
    public const int ApiError = 3;

    /// <summary>The wait outlived <c>--timeout</c> before the task reached a final state.</summary>
    public const int WaitTimeout = 4;

    /// <summary>A <c>--download</c> file could not be written into a usable folder (disk full, permissions): an I/O error.</summary>
    public const int WriteFailed = 5;

    /// <summary>An unexpected internal error (a bug): run again with --verbose and report it.</summary>
    public const int InternalError = 70;

    /// <summary>Interrupted (Ctrl+C, SIGINT, SIGTERM).</summary>
    public const int Interrupted = 130;
}
