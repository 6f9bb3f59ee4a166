using AsyncTasks.Tests.Infrastructure.Json;

namespace AsyncTasks.Tests.Infrastructure.Tests;

[TestFixture]
internal sealed class JsonSubsetComparerTests
{
    private static readonly string[] MissingMsg = ["$.data.msg: missing (expected \"\")"];

    private static IReadOnlyList<string> Compare(string expected, string actual) =>
        JsonSubsetComparer.FindMismatches(JsonText.Parse(expected), JsonText.Parse(actual));

    [Test]
    public void IdenticalValuesHaveNoMismatch()
    {
        // Arrange
        const string json = """{"a":1,"b":"x","c":[true,false,null],"d":{"e":1.5}}""";

        // Act
        var mismatches = Compare(json, json);

        // Assert
        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public void ExtraActualPropertiesAreAllowed()
    {
        // Arrange, Act
        var mismatches = Compare("""{"a":1}""", """{"a":1,"added":"by the DTO"}""");

        // Assert
        Assert.That(mismatches, Is.Empty);
    }

    [TestCase("5", "5.0")]
    [TestCase("5.0", "5")]
    [TestCase("0.021", "0.0210")]
    [TestCase("1e3", "1000")]
    [TestCase("9007199254740993", "9007199254740993")]
    public void NumbersCompareNumerically(string expected, string actual)
    {
        // Arrange, Act
        var mismatches = Compare($$"""{"n":{{expected}}}""", $$"""{"n":{{actual}}}""");

        // Assert
        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public void DifferentNumberIsReportedWithItsPath()
    {
        // Arrange, Act
        var mismatches = Compare("""{"data":{"code":200}}""", """{"data":{"code":201}}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1));
        Assert.That(mismatches[0], Does.StartWith("$.data.code:"));
    }

    [Test]
    public void NumberReadBackAsStringIsAMismatch()
    {
        // Arrange, Act
        var mismatches = Compare("""{"taskId":33201}""", """{"taskId":"33201"}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1).And.One.StartsWith("$.taskId:"));
    }

    [TestCase("2025-01-01T08:00:00+08:00", "2025-01-01T00:00:00Z")]
    [TestCase("2026-06-13T23:14:07.689977+08:00", "2026-06-13T23:14:07.689977+08:00")]
    [TestCase("2026-06-14T11:05:00.250000+08:00", "2026-06-14T11:05:00.25+08:00")]
    [TestCase("2026-03-02T08:15:30.000Z", "2026-03-02T08:15:30+00:00")]
    public void DateTimesCompareAsInstants(string expected, string actual)
    {
        // Arrange, Act
        var mismatches = Compare($$"""{"t":"{{expected}}"}""", $$"""{"t":"{{actual}}"}""");

        // Assert
        Assert.That(mismatches, Is.Empty);
    }

    [TestCase("2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z")]
    [TestCase("0000-00-00T00:00:00Z", "0001-01-01T00:00:00Z")]
    [TestCase("2025-01-01T00:00:00Z", "01/01/2025 00:00:00")]
    [TestCase("abc", "abd")]
    public void DifferentStringsOrInstantsAreMismatches(string expected, string actual)
    {
        // Arrange, Act
        var mismatches = Compare($$"""{"t":"{{expected}}"}""", $$"""{"t":"{{actual}}"}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1));
    }

    [TestCase("""{"b":2}""")]
    [TestCase("""{"a":null,"b":2}""")]
    public void ExpectedNullMatchesAbsentOrNull(string actual)
    {
        // Arrange, Act
        var mismatches = Compare("""{"a":null,"b":2}""", actual);

        // Assert
        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public void ExpectedNullDoesNotMatchAValue()
    {
        // Arrange, Act
        var mismatches = Compare("""{"a":null}""", """{"a":0}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1).And.One.StartsWith("$.a:"));
    }

    [Test]
    public void MissingPropertyIsReported()
    {
        // Arrange, Act
        var mismatches = Compare("""{"data":{"state":"running","msg":""}}""", """{"data":{"state":"running"}}""");

        // Assert
        Assert.That(mismatches, Is.EqualTo(MissingMsg));
    }

    [Test]
    public void ArrayElementsAreComparedByIndex()
    {
        // Arrange, Act
        var mismatches = Compare("""{"items":[{"id":1},{"id":2}]}""", """{"items":[{"id":1},{"id":3}]}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1).And.One.StartsWith("$.items[1].id:"));
    }

    [Test]
    public void ArrayLengthMustMatch()
    {
        // Arrange, Act
        var mismatches = Compare("""{"items":["a"]}""", """{"items":["a","b"]}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1).And.One.Contains("expected 1 element(s), got 2"));
    }

    [Test]
    public void EmptyArrayMustStayAnArray()
    {
        // Arrange, Act
        var mismatches = Compare("""{"images":[]}""", """{"images":null}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1).And.One.StartsWith("$.images:"));
    }

    [Test]
    public void PropertyNamesThatAreNotIdentifiersAreQuotedInPaths()
    {
        // Arrange, Act
        var mismatches = Compare("""{"@type":"a"}""", """{"@type":"b"}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1).And.One.StartsWith("$['@type']:"));
    }

    [Test]
    public void Base64ExampleMatchesAByteArrayReadBack()
    {
        // Arrange
        var dto = new { bytesBase64Encoded = new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70 } };

        // Act
        var mismatches = JsonSubsetComparer.FindMismatches(JsonText.Parse("""{"bytesBase64Encoded":"AAAAGGZ0eXA="}"""), JsonText.FromObject(dto));

        // Assert
        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public void BooleanMustMatch()
    {
        // Arrange, Act
        var mismatches = Compare("""{"done":false}""", """{"done":true}""");

        // Assert
        Assert.That(mismatches, Has.Count.EqualTo(1));
    }
}
