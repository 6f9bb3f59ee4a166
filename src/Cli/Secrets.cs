using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AsyncTasks.Cli;

/// <summary>
/// The one filter of everything the command line prints. <see cref="RunContext"/> passes every line of both streams
/// through <see cref="Redact"/> (the result, progress and error lines, log lines, stack traces), so a configured key
/// never reaches the screen or a log file, not even with --verbose; <see cref="Printable"/> makes the gateway's text
/// safe for a terminal. The facade already keeps keys out of its messages; this is the second lock.
/// </summary>
/// <remarks>
/// A gateway may echo a key in an encoded form: its JSON encoder writes <c>/</c> as <c>\/</c> and other characters as
/// <c>\uXXXX</c>, a URL carries it percent-encoded, and --json output escapes what it prints. A key is therefore
/// matched character by character in any of these forms, mixed freely (as if the text were decoded first), and the
/// whole match is masked.
/// </remarks>
internal sealed class Secrets
{
    private const string Mask = "***";

    // Shorter values are not real keys, and masking them would garble every message (a key "k" in "key").
    private const int MinimumLength = 4;
    private readonly List<string> keys = [];
    private Regex? pattern;

    /// <summary>Remembers a key to hide (ignored when shorter than four characters).</summary>
    public void Add(string? key)
    {
        if (key is { Length: >= MinimumLength } && !keys.Contains(key, StringComparer.Ordinal))
        {
            keys.Add(key);

            // Longest first, so a key that contains another is masked whole.
            keys.Sort((a, b) => b.Length.CompareTo(a.Length));
            pattern = null;
        }
    }

    /// <summary>
    /// Remembers what a base URL may hold that is secret: its user info and password, as typed and decoded. The
    /// base URL is refused with user info, but the refusal and <c>providers</c> still print it.
    /// </summary>
    public void AddUserInfoOf(string? baseUrl)
    {
        if (baseUrl is null)
        {
            return;
        }

        // Not Uri.UserInfo: a text Uri refuses, or a key with a raw '/', still has its user info between "//" and the
        // last '@' before the query (a path holding '@' is masked too: better too much than too little).
        var start = baseUrl.IndexOf("//", StringComparison.Ordinal);
        if (start < 0)
        {
            return;
        }

        start += 2;
        var end = baseUrl.IndexOfAny(['?', '#'], start);
        var authority = end < 0 ? baseUrl[start..] : baseUrl[start..end];
        var at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return;
        }

        // The whole user info, and the password alone (a user name is no secret, and "user" would mask every "user").
        var userInfo = authority[..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        foreach (var secret in colon < 0 ? [userInfo] : new[] { userInfo, userInfo[(colon + 1)..] })
        {
            Add(secret);
            Add(Decode(secret));
        }

        static string Decode(string text)
        {
            try
            {
                return Uri.UnescapeDataString(text);
            }
            catch (UriFormatException)
            {
                return text;
            }
        }
    }

    /// <summary>The text with every known key, in any of the encodings above, replaced by <c>***</c>.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || keys.Count == 0)
        {
            return text ?? string.Empty;
        }

        pattern ??= new Regex(
            string.Join("|", keys.Select(KeyPattern)),
            RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture,
            TimeSpan.FromSeconds(5));
        return pattern.Replace(text, Mask);
    }

    /// <summary>
    /// The text with every control character (C0 such as ESC, BEL, CR and LF, DEL, and C1 U+0080–U+009F) replaced by
    /// U+FFFD, so that a gateway's text cannot move the cursor, clear the screen, retitle the terminal or start a line
    /// of its own (a forged <c>asynctasks: error:</c>).
    /// </summary>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(char.IsControl))
        {
            return text ?? string.Empty;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '\uFFFD' : source[i];
            }
        });
    }

    /// <summary>One key as a pattern: each character raw, JSON-escaped (<c>\/</c>, <c>\uXXXX</c>) or percent-encoded.</summary>
    private static string KeyPattern(string key)
    {
        var pattern = new StringBuilder();
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in key.EnumerateRunes())
        {
            var text = rune.ToString();
            pattern.Append("(?:").Append(Regex.Escape(text));

            // JSON: every UTF-16 unit as \uXXXX (either case of hex), and the short escapes.
            pattern.Append('|');
            foreach (var unit in text)
            {
                pattern.Append(@"\\u").Append(AnyCaseHex(((int)unit).ToString("X4", CultureInfo.InvariantCulture)));
            }

            if (rune.Value is '/' or '"' or '\\')
            {
                pattern.Append(@"|\\").Append(Regex.Escape(text));
            }

            // URLs: the UTF-8 bytes as %XX, and '+' for a space (forms).
            pattern.Append('|');
            var length = rune.EncodeToUtf8(bytes);
            for (var i = 0; i < length; i++)
            {
                pattern.Append('%').Append(AnyCaseHex(bytes[i].ToString("X2", CultureInfo.InvariantCulture)));
            }

            if (rune.Value == ' ')
            {
                pattern.Append(@"|\+");
            }

            pattern.Append(')');
        }

        return pattern.ToString();
    }

    private static string AnyCaseHex(string hex)
    {
        var text = new StringBuilder(hex.Length * 4);
        foreach (var digit in hex)
        {
            if (char.IsAsciiLetter(digit))
            {
                text.Append('[').Append(char.ToUpperInvariant(digit)).Append(char.ToLowerInvariant(digit)).Append(']');
            }
            else
            {
                text.Append(digit);
            }
        }

        return text.ToString();
    }
}
