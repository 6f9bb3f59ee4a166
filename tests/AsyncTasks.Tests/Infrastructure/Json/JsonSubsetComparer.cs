using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.Json;

/// <summary>
/// Checks that an actual JSON value carries every leaf of an expected one (typically: a documented example versus
/// the generated DTO serialized back): same JSON path, equal value. Extra actual properties are allowed, since a
/// DTO may add defaults. Equality is by meaning, not text:
/// <list type="bullet">
/// <item>numbers compare numerically (<c>5</c> equals <c>5.0</c>);</item>
/// <item>ISO-8601 date/date-time strings compare as instants when both sides parse
/// (<c>2025-01-01T08:00:00+08:00</c> equals <c>2025-01-01T00:00:00Z</c>);</item>
/// <item>an expected <c>null</c> matches an absent or null actual value;</item>
/// <item>arrays must have the same length and match element by element;</item>
/// <item>an empty object or array must be an object or array in the actual value too.</item>
/// </list>
/// </summary>
internal static partial class JsonSubsetComparer
{
    /// <summary>Every difference, as "location: explanation"; empty when <paramref name="actual"/> carries <paramref name="expected"/>.</summary>
    public static IReadOnlyList<string> FindMismatches(JToken expected, JToken? actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var mismatches = new List<string>();
        Compare(expected, actual, JsonLocation.Root, mismatches);
        return mismatches;
    }

    /// <summary>Whether two scalar JSON values are equal by the rules above.</summary>
    public static bool ScalarEquals(JValue expected, JValue actual) => Describe(expected, actual) is null;

    private static void Compare(JToken expected, JToken? actual, JsonLocation location, List<string> mismatches)
    {
        switch (expected)
        {
            case { Type: JTokenType.Null or JTokenType.Undefined }:
                if (actual is not null && actual.Type is not (JTokenType.Null or JTokenType.Undefined))
                {
                    mismatches.Add($"{location}: expected null or absent, got {Show(actual)}");
                }

                return;

            case JObject expectedObject:
                if (actual is not JObject actualObject)
                {
                    mismatches.Add($"{location}: expected an object, got {Show(actual)}");
                    return;
                }

                foreach (var (name, value) in expectedObject)
                {
                    var child = location.Property(name);
                    if (actualObject.TryGetValue(name, StringComparison.Ordinal, out var actualChild))
                    {
                        Compare(value!, actualChild, child, mismatches);
                    }
                    else if (value!.Type is not (JTokenType.Null or JTokenType.Undefined))
                    {
                        mismatches.Add($"{child}: missing (expected {Show(value)})");
                    }
                }

                return;

            case JArray expectedArray:
                if (actual is not JArray actualArray)
                {
                    mismatches.Add($"{location}: expected an array, got {Show(actual)}");
                    return;
                }

                if (actualArray.Count != expectedArray.Count)
                {
                    mismatches.Add($"{location}: expected {expectedArray.Count} element(s), got {actualArray.Count}");
                }

                for (var i = 0; i < Math.Min(expectedArray.Count, actualArray.Count); i++)
                {
                    Compare(expectedArray[i], actualArray[i], location.Index(i), mismatches);
                }

                return;

            case JValue expectedValue:
                if (actual is not JValue actualValue)
                {
                    mismatches.Add($"{location}: expected {Show(expected)}, got {Show(actual)}");
                }
                else if (Describe(expectedValue, actualValue) is { } why)
                {
                    mismatches.Add($"{location}: {why}");
                }

                return;

            default:
                if (!JToken.DeepEquals(expected, actual))
                {
                    mismatches.Add($"{location}: expected {Show(expected)}, got {Show(actual)}");
                }

                return;
        }
    }

    private static string? Describe(JValue expected, JValue actual)
    {
        var mismatch = $"expected {Show(expected)}, got {Show(actual)}";
        switch (expected.Type)
        {
            case JTokenType.Integer or JTokenType.Float:
                return actual.Type is JTokenType.Integer or JTokenType.Float && NumbersEqual(expected, actual) ? null : mismatch;

            case JTokenType.String:
                if (actual.Type != JTokenType.String)
                {
                    return mismatch;
                }

                var (e, a) = ((string)expected!, (string)actual!);
                return string.Equals(e, a, StringComparison.Ordinal) || SameInstant(e, a) ? null : mismatch;

            case JTokenType.Boolean:
                return actual.Type == JTokenType.Boolean && (bool)expected == (bool)actual ? null : mismatch;

            default:
                return JToken.DeepEquals(expected, actual) ? null : mismatch;
        }
    }

    private static bool NumbersEqual(JValue expected, JValue actual)
    {
        if (TryDecimal(expected, out var e) && TryDecimal(actual, out var a))
        {
            return e == a;
        }

        var (ed, ad) = (Convert.ToDouble(expected.Value, CultureInfo.InvariantCulture), Convert.ToDouble(actual.Value, CultureInfo.InvariantCulture));
        return ed.Equals(ad);
    }

    private static bool TryDecimal(JValue value, out decimal result)
    {
        try
        {
            if (value.Value is double or float && !double.IsFinite(Convert.ToDouble(value.Value, CultureInfo.InvariantCulture)))
            {
                result = 0;
                return false;
            }

            result = Convert.ToDecimal(value.Value, CultureInfo.InvariantCulture);
            return true;
        }
        catch (OverflowException)
        {
            result = 0;
            return false;
        }
    }

    private static bool SameInstant(string expected, string actual) =>
        IsoDate().IsMatch(expected) && IsoDate().IsMatch(actual)
        && DateTimeOffset.TryParse(expected, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var e)
        && DateTimeOffset.TryParse(actual, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var a)
        && e.UtcDateTime == a.UtcDateTime;

    private static string Show(JToken? token) => token switch
    {
        null => "nothing",
        JValue { Type: JTokenType.String } => $"\"{(string?)token}\"",
        JValue value => $"{value.ToString(Formatting.None)} ({value.Type})",
        JContainer container => Truncate(container.ToString(Formatting.None)),
        _ => token.ToString(Formatting.None),
    };

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    // Date, optionally with a time (T or space), fractional seconds and an offset.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();
}
