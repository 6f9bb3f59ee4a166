namespace AsyncTasks.Cli;

/// <summary>
/// The API keys of one run. Whatever the command line prints that did not come from its own wording (exception
/// messages, stack traces, log lines) passes through <see cref="Redact"/>, so a key never reaches the screen or a
/// log file, not even with --verbose. The facade already keeps keys out of its messages; this is the second lock.
/// </summary>
internal sealed class Secrets
{
    private const string Mask = "***";

    // Shorter values are not real keys, and masking them would garble every message (a key "k" in "key").
    private const int MinimumLength = 4;
    private readonly List<string> keys = [];

    /// <summary>Remembers a key to hide (ignored when shorter than four characters).</summary>
    public void Add(string? key)
    {
        if (key is { Length: >= MinimumLength } && !keys.Contains(key, StringComparer.Ordinal))
        {
            keys.Add(key);

            // Longest first, so a key that contains another is masked whole.
            keys.Sort((a, b) => b.Length.CompareTo(a.Length));
        }
    }

    /// <summary>The text with every known key replaced by <c>***</c>.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var key in keys)
        {
            text = text.Replace(key, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
