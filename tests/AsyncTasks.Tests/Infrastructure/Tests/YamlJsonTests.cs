using AsyncTasks.Tests.Infrastructure.Json;
using AsyncTasks.Tests.Infrastructure.Specs;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.Tests;

[TestFixture]
internal sealed class YamlJsonTests
{
    [Test]
    public void ScalarsFollowTheYamlCoreSchema()
    {
        // Arrange
        const string yaml = """
            quotedNumber: '33201'
            doubleQuoted: "true"
            integer: 33201
            negative: -7
            float: 5.0
            exponent: 1e3
            yes: true
            no: False
            nothing: ~
            empty:
            date: 2025-01-01
            dateTime: 2026-03-02T08:15:30.000Z
            text: Remove the background
            hex: 0x1F
            big: 123456789012345678901234567890
            """;

        // Act
        var json = (JObject)YamlJson.Parse(yaml);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(json["quotedNumber"]!.Type, Is.EqualTo(JTokenType.String));
            Assert.That(json["doubleQuoted"]!.Type, Is.EqualTo(JTokenType.String));
            Assert.That(json["integer"]!.Type, Is.EqualTo(JTokenType.Integer));
            Assert.That((long)json["negative"]!, Is.EqualTo(-7));
            Assert.That(json["float"]!.Type, Is.EqualTo(JTokenType.Float));
            Assert.That(JsonText.Compact(json["float"]!), Is.EqualTo("5.0"));
            Assert.That((decimal)json["exponent"]!, Is.EqualTo(1000m));
            Assert.That(json["yes"]!.Type, Is.EqualTo(JTokenType.Boolean));
            Assert.That((bool)json["no"]!, Is.False);
            Assert.That(json["nothing"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That(json["empty"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That((string?)json["date"], Is.EqualTo("2025-01-01"));
            Assert.That((string?)json["dateTime"], Is.EqualTo("2026-03-02T08:15:30.000Z"));
            Assert.That((string?)json["text"], Is.EqualTo("Remove the background"));
            Assert.That((long)json["hex"]!, Is.EqualTo(31));
            Assert.That(json["big"]!.Type, Is.EqualTo(JTokenType.Integer));
        }
    }

    [Test]
    public void BlockScalarsSequencesAndAliasesAreConverted()
    {
        // Arrange
        const string yaml = """
            base: &base
              a: 1
            copy: *base
            list:
              - x
              - 'y'
            folded: >-
              one
              two
            literal: |
              line
            after: 1
            """;

        // Act
        var json = YamlJson.Parse(yaml);

        // Assert
        Assert.That(
            JsonText.Compact(json),
            Is.EqualTo("""{"base":{"a":1},"copy":{"a":1},"list":["x","y"],"folded":"one two","literal":"line\n","after":1}"""));
    }

    [Test]
    public void DuplicateKeysAreRejected()
    {
        // Arrange
        const string yaml = "a: 1\na: 2\n";

        // Act, Assert
        Assert.That(() => YamlJson.Parse(yaml), Throws.InstanceOf<Exception>());
    }
}
