using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AsyncTasks.Cli.Demo;

/// <summary>
/// Turns a YAML document into JSON under the YAML 1.2 core schema: quoted and block scalars are strings; plain
/// scalars are null, booleans, integers or floats when they look like one, strings otherwise. Numbers keep their
/// text when it is valid JSON (<c>5.0</c> stays <c>5.0</c>), so the demo serves the examples as the specs write them.
/// </summary>
internal static partial class YamlToJson
{
    /// <summary>Parses one YAML document into a JSON node.</summary>
    public static JsonNode? Parse(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count != 1)
        {
            throw new FormatException($"Expected one YAML document, found {stream.Documents.Count}.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, stream.Documents[0].RootNode, depth: 0);
        }

        return JsonNode.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node, int depth)
    {
        if (depth > 128)
        {
            throw new FormatException($"YAML nested too deeply at {node.Start}.");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName(key is YamlScalarNode { Value: { } name }
                        ? name
                        : throw new FormatException($"Only scalar keys are supported, at {key.Start}."));
                    Write(writer, value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new FormatException($"Unsupported YAML node at {node.Start}.");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (scalar.Style != ScalarStyle.Plain || tag is "tag:yaml.org,2002:str")
        {
            writer.WriteStringValue(text);
            return;
        }

        if (text.Length == 0 || text is "~" or "null" or "Null" or "NULL")
        {
            writer.WriteNullValue();
        }
        else if (text is "true" or "True" or "TRUE")
        {
            writer.WriteBooleanValue(true);
        }
        else if (text is "false" or "False" or "FALSE")
        {
            writer.WriteBooleanValue(false);
        }
        else if (Integer().IsMatch(text))
        {
            writer.WriteRawValue(text.TrimStart('+'));
        }
        else if (Float().IsMatch(text))
        {
            var raw = text.TrimStart('+');
            if (JsonNumber().IsMatch(raw))
            {
                writer.WriteRawValue(raw);
            }
            else
            {
                writer.WriteNumberValue(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
            }
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
