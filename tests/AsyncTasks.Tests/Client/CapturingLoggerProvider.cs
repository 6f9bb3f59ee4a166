using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// Keeps every log entry in memory at every level (Trace included): the formatted message, each structured value,
/// the scopes and the exception's full <c>ToString()</c>, so tests can assert what reached the logs.
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>Every entry so far, oldest first.</summary>
    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>A logger factory at Trace level that writes only here.</summary>
    public ILoggerFactory CreateFactory() =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    /// <summary>Every entry as one text block, for searching and for failure messages.</summary>
    public string AllText() => string.Join(Environment.NewLine, _entries.Select(e => e.FullText));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"[{logLevel}] {category} ({eventId.Id}): {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(CultureInfo.InvariantCulture, $" | {key}={Convert.ToString(value, CultureInfo.InvariantCulture)}");
                }
            }

            owner._scopes.ForEachScope((scope, builder) => builder.Append(CultureInfo.InvariantCulture, $" | scope {scope}"), text);
            if (exception is not null)
            {
                text.Append(" | exception ").Append(exception);
            }

            owner._entries.Enqueue(new CapturedLog(logLevel, category, eventId, formatter(state, exception), text.ToString()));
        }
    }
}

/// <summary>One captured log entry.</summary>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger category.</param>
/// <param name="EventId">The event id.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="FullText">Message, structured values, scopes and exception, in one line of text.</param>
internal sealed record CapturedLog(LogLevel Level, string Category, EventId EventId, string Message, string FullText);
