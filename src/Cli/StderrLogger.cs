using Microsoft.Extensions.Logging;

namespace AsyncTasks.Cli;

/// <summary>
/// Sends the facade's log (retries, polls, state changes) to standard error: warnings always, everything from
/// Debug up with --verbose. Every line goes through <see cref="RunContext.Note"/>, which masks keys.
/// </summary>
internal sealed class StderrLoggerFactory(Action<string> writeLine, LogLevel minimum) : ILoggerFactory
{
    private readonly Action<string> writeLine = writeLine;
    private readonly LogLevel minimum = minimum;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(StderrLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner.minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Trace => "trace",
                LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warning",
                LogLevel.Error => "error",
                _ => "critical",
            };
            owner.writeLine($"asynctasks: {level}: {formatter(state, exception)}");
        }
    }
}
