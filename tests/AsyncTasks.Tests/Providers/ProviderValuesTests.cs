using System.Globalization;
using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Providers;

/// <summary>The shared readers of provider values: times, URLs, text and progress.</summary>
[TestFixture]
[Category("Providers")]
internal sealed class ProviderValuesTests
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Texts around the fixed form: valid, out of range, malformed, near misses.</summary>
    private static readonly string[] Times =
    [
        "2026-01-02T03:04:05Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-02-29T12:00:00Z",
        "2023-02-29T12:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z", "2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z", "2026-01-02T23:59:60Z",
        "0000-01-01T00:00:00Z", "2026-01-02t03:04:05Z", "2026-01-02T03:04:05z", "2026/01/02T03:04:05Z",
        "2026-01-02 03:04:05Z", "2026-01-02T03-04:05Z", "2026-01-02T03:04-05Z", "2026-1-02T03:04:05Z0",
        "+026-01-02T03:04:05Z", "2026-01-02T03:04:0 Z", "2026-01-02T0a:04:05Z", "2026-01-02T03:04:05+",
        "２０２６-01-02T03:04:05Z", "2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05", "2026-01-02T03:04:05+08:00",
        "", "Z",
    ];

    [TestCaseSource(nameof(Times))]
    public void TheFixedFormReaderAcceptsExactlyWhatTryParseExactAccepts(string text)
    {
        var expected = DateTimeOffset.TryParseExact(
            text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : (DateTimeOffset?)null;

        var actual = ProviderValues.UtcSeconds(text);

        Assert.That(actual, Is.EqualTo(expected));
        if (actual is { } value)
        {
            Assert.That(value.Offset, Is.EqualTo(TimeSpan.Zero));
        }
    }

    [TestCase("2026-01-02T03:04:05Z", "2026-01-02T03:04:05+00:00")]
    [TestCase("2026-01-02T11:04:05+08:00", "2026-01-02T03:04:05+00:00")]
    [TestCase(" 2026-01-02T03:04:05.250Z ", "2026-01-02T03:04:05.25+00:00")]
    [TestCase("2026-01-02T03:04:05", "2026-01-02T03:04:05+00:00")]
    public void IsoTimesAreReadAsUtc(string text, string expected) =>
        Assert.That(ProviderValues.IsoTime(text), Is.EqualTo(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture)));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  ")]
    [TestCase("0000-00-00T00:00:00Z")]
    [TestCase("0000-00-00 00:00:00")]
    [TestCase("not a time")]
    [TestCase("2026-02-30T00:00:00Z")]
    public void AbsentZeroOrUnreadableIsoTimesAreNone(string? text) => Assert.That(ProviderValues.IsoTime(text), Is.Null);
}
