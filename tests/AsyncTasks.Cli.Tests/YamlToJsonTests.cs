using AsyncTasks.Cli.Demo;
using AsyncTasks.Tests.Infrastructure.Json;
using AsyncTasks.Tests.Infrastructure.Specs;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;

namespace AsyncTasks.Cli.Tests;

/// <summary>The one YAML reader of the repository: the demo, the benchmarks and the contract tests read the specs with it.</summary>
public sealed class YamlToJsonTests
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
            plus: +8
            leadingZeros: 007
            float: 5.0
            tenth: 0.1
            half: .5
            exponent: 1e3
            yes: true
            no: False
            nothing: ~
            empty:
            date: 2025-01-01
            dateTime: 2026-03-02T08:15:30.000Z
            text: Remove the background
            hex: 0x1F
            octal: 0o17
            big: 123456789012345678901234567890
            taggedInt: !!int "12"
            taggedString: !!str 12
            """;

        // Act
        var json = YamlToJson.Parse(yaml)!.ToJsonString();

        // Assert
        Assert.That(json, Is.EqualTo("""
            {"quotedNumber":"33201","doubleQuoted":"true","integer":33201,"negative":-7,"plus":8,"leadingZeros":7,
            "float":5.0,"tenth":0.1,"half":0.5,"exponent":1e3,"yes":true,"no":false,"nothing":null,"empty":null,
            "date":"2025-01-01","dateTime":"2026-03-02T08:15:30.000Z","text":"Remove the background","hex":31,
            "octal":15,"big":123456789012345678901234567890,"taggedInt":12,"taggedString":"12"}
            """.ReplaceLineEndings(string.Empty)));
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
        var json = YamlToJson.Parse(yaml)!.ToJsonString();

        // Assert
        Assert.That(json, Is.EqualTo("""{"base":{"a":1},"copy":{"a":1},"list":["x","y"],"folded":"one two","literal":"line\n","after":1}"""));
    }

    [Test]
    public void AmbiguousOrUnrepresentableYamlIsRejected()
    {
        // Each of these could mean two things, or has no JSON form: a spec must mean one thing.
        string[] cases =
        [
            "a: 1\na: 2\n",
            "base: &b {a: 1}\ncopy:\n  <<: *b\n",
            "a: !!binary aGk=\n",
            "a: !!int twelve\n",
            "a: .inf\n",
            "a: .nan\n",
            "a: 1\n---\nb: 2\n",
        ];
        using (Assert.EnterMultipleScope())
        {
            foreach (var yaml in cases)
            {
                Assert.That(() => YamlToJson.Parse(yaml), Throws.InstanceOf<FormatException>().Or.InstanceOf<YamlException>(), yaml);
            }
        }
    }

    [Test]
    public void TheContractTestsSeeExactNumbersAndDateStrings()
    {
        // Arrange
        const string yaml = "openapi: 3.0.3\nratio: 0.1\nbig: 123456789012345678901234567890\nat: 2026-03-02T08:15:30Z\n";

        // Act
        var root = SpecDocument.Parse(yaml, "inline.yaml").Root;

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root["ratio"]!.Type, Is.EqualTo(JTokenType.Float));
            Assert.That(((JValue)root["ratio"]!).Value, Is.EqualTo(0.1m));
            Assert.That(root["big"]!.Type, Is.EqualTo(JTokenType.Integer));
            Assert.That((string?)root["at"], Is.EqualTo("2026-03-02T08:15:30Z"));
            Assert.That(JsonText.Compact(root), Is.EqualTo("""{"openapi":"3.0.3","ratio":0.1,"big":123456789012345678901234567890,"at":"2026-03-02T08:15:30Z"}"""));
        }
    }
}
