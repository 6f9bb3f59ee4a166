using System.Globalization;
using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Providers;

/// <summary>The shared readers of provider values: times, URLs, text and progress.</summary>
[TestFixture]
[Category("Providers")]
internal sealed class ProviderValuesTests
{
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

    [TestCase("1", "1970-01-01T00:00:01+00:00")]
    [TestCase(" 1767000210 ", "2025-12-29T09:23:30+00:00")]
    [TestCase("253402300799", "9999-12-31T23:59:59+00:00")]
    public void EpochSecondsAreReadAsUtc(string text, string expected) =>
        Assert.That(ProviderValues.EpochSeconds(text), Is.EqualTo(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture)));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("0")]
    [TestCase("-5")]
    [TestCase("253402300800")]
    [TestCase("1.5")]
    [TestCase("abc")]
    public void ZeroNegativeOutOfRangeOrUnreadableEpochsAreNone(string? text) => Assert.That(ProviderValues.EpochSeconds(text), Is.Null);

    [TestCase("120", 120)]
    [TestCase(" 0 ", 0)]
    [TestCase("99999999999999", 461168601842)]
    public void RetryAfterSecondsAreReadAndBounded(string value, long seconds) =>
        Assert.That(RetryAfterParser.Parse(value, DateTimeOffset.UnixEpoch), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [Test]
    public void RetryAfterDatesAreTheDelayFromNowAndNeverNegative()
    {
        var now = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RetryAfterParser.Parse("Sat, 21 Nov 2026 10:00:30 GMT", now), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(RetryAfterParser.Parse("Sat, 21 Nov 2026 09:59:00 GMT", now), Is.EqualTo(TimeSpan.Zero));
            Assert.That(RetryAfterParser.Parse("Sat, 21 Nov 2026 10:00:00 GMT", now), Is.EqualTo(TimeSpan.Zero));
            Assert.That(RetryAfterParser.Parse("soon", now), Is.Null);
            Assert.That(RetryAfterParser.Parse("-3", now), Is.Null);
            Assert.That(RetryAfterParser.Parse((string?)null, now), Is.Null);
        }
    }

    [Test]
    public void ProviderMessagesAreOneLineAndCutAt300Chars()
    {
        var exact = new string('m', 300);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ProviderAdapter.Sanitize(" line one\r\nline two "), Is.EqualTo("line one line two"));
            Assert.That(ProviderAdapter.Sanitize(exact), Is.EqualTo(exact));
            Assert.That(ProviderAdapter.Sanitize(exact + "xyz"), Is.EqualTo(exact + "…"));
        }
    }

    [TestCase(199, TaskErrorKind.Protocol)]
    [TestCase(400, TaskErrorKind.Protocol)]
    [TestCase(401, TaskErrorKind.Authentication)]
    [TestCase(403, TaskErrorKind.Authentication)]
    [TestCase(404, TaskErrorKind.NotFound)]
    [TestCase(410, TaskErrorKind.NotFound)]
    [TestCase(408, TaskErrorKind.Timeout)]
    [TestCase(424, TaskErrorKind.Server)]
    [TestCase(429, TaskErrorKind.RateLimited)]
    [TestCase(500, TaskErrorKind.Server)]
    [TestCase(599, TaskErrorKind.Server)]
    public void HttpStatusesMapToKinds(int status, TaskErrorKind kind) => Assert.That(ProviderAdapter.KindOf(status), Is.EqualTo(kind));
}
