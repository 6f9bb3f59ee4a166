using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AsyncTasks.Cli;

/// <summary>
/// Durations as typed on the command line: a number and a unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>), several
/// of them from the largest unit down, e.g. <c>100ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c>, <c>1m30s</c>, <c>1h2m3s500ms</c>.
/// </summary>
internal static partial class Duration
{
    /// <summary>The accepted forms, for error messages and help.</summary>
    public const string Forms = "a number and a unit: 100ms, 2s, 5m, 1h, or a combination such as 1m30s";

    /// <summary>
    /// The longest duration accepted: 576h (24 days), just under what a timer can wait for (2^31 ms, about 24.8
    /// days), so every duration the command line takes can be waited for in one piece.
    /// </summary>
    public static readonly TimeSpan Max = TimeSpan.FromHours(576);

    private static readonly string[] UnitOrder = ["h", "m", "s", "ms"];

    /// <summary>Reads a duration; <see langword="false"/> with a message when the text is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = $"a duration is required ({Forms})";
            return false;
        }

        var position = 0;
        var lastUnit = -1;
        var total = 0L;
        foreach (Match part in Part().Matches(trimmed))
        {
            if (part.Index != position)
            {
                break;
            }

            position += part.Length;
            var unit = Array.IndexOf(UnitOrder, part.Groups["unit"].Value);
            if (unit <= lastUnit)
            {
                error = $"'{trimmed}' repeats a unit or lists them out of order; write the largest unit first ({Forms})";
                return false;
            }

            lastUnit = unit;
            if (!long.TryParse(part.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                error = TooLarge(trimmed);
                return false;
            }

            var ticksPerUnit = unit switch
            {
                0 => TimeSpan.TicksPerHour,
                1 => TimeSpan.TicksPerMinute,
                2 => TimeSpan.TicksPerSecond,
                _ => TimeSpan.TicksPerMillisecond,
            };

            try
            {
                total = checked(total + checked(number * ticksPerUnit));
            }
            catch (OverflowException)
            {
                error = TooLarge(trimmed);
                return false;
            }
        }

        if (position != trimmed.Length || lastUnit < 0)
        {
            error = $"'{trimmed}' is not a duration; use {Forms}";
            return false;
        }

        if (total > Max.Ticks)
        {
            error = TooLarge(trimmed);
            return false;
        }

        value = TimeSpan.FromTicks(total);
        return true;
    }

    private static string TooLarge(string text) => $"'{text}' is too large; the largest accepted value is {Format(Max)} (24 days)";

    /// <summary>Writes a duration in the same form, e.g. <c>1m30s</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (value.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        if (value.Seconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Seconds}s");
        }

        if (value.Milliseconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Milliseconds}ms");
        }

        return text.Length > 0 ? text.ToString() : "0s";
    }

    [GeneratedRegex(@"(?<number>[0-9]+)(?<unit>ms|h|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
