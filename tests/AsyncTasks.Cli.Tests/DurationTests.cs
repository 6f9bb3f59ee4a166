namespace AsyncTasks.Cli.Tests;

/// <summary>Durations as typed on the command line.</summary>
public sealed class DurationTests
{
    [TestCase("100ms", 100)]
    [TestCase("2s", 2_000)]
    [TestCase("5m", 300_000)]
    [TestCase("1h", 3_600_000)]
    [TestCase("1m30s", 90_000)]
    [TestCase("1h2m3s4ms", 3_723_004)]
    [TestCase(" 30m ", 1_800_000)]
    [TestCase("0s", 0)]
    public void ParsesUnitsAndCombinations(string text, long milliseconds)
    {
        Assert.That(Duration.TryParse(text, out var value, out var error), Is.True, error);
        Assert.That(value, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("")]
    [TestCase("5")]
    [TestCase("5x")]
    [TestCase("m5")]
    [TestCase("1.5s")]
    [TestCase("30s1m")]
    [TestCase("1m1m")]
    [TestCase("-1s")]
    [TestCase("5 m")]
    [TestCase("99999999999999999999h")]
    public void RejectsOtherText(string text)
    {
        Assert.That(Duration.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [TestCase(90_000, "1m30s")]
    [TestCase(250, "250ms")]
    [TestCase(1_800_000, "30m")]
    [TestCase(3_723_004, "1h2m3s4ms")]
    [TestCase(0, "0s")]
    public void FormatsInTheSameForm(long milliseconds, string text) =>
        Assert.That(Duration.Format(TimeSpan.FromMilliseconds(milliseconds)), Is.EqualTo(text));

    [Test]
    public void ADurationTooLargeNamesTheLargestAccepted()
    {
        foreach (var text in new[] { "577h", "576h1ms", "99999999999999999999h", "9223372036854775807ms", "2562047788h" })
        {
            Assert.That(Duration.TryParse(text, out _, out var error), Is.False, text);
            Assert.That(error, Is.EqualTo($"'{text}' is too large; the largest accepted value is 576h (24 days)"));
        }

        Assert.That(Duration.TryParse("576h", out var largest, out _), Is.True);
        Assert.That(largest, Is.EqualTo(Duration.Max));
    }
}
