using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AsyncTasks.Cli.Demo;

/// <summary>
/// Turns a YAML document into JSON under the YAML 1.2 core schema: quoted and block scalars are strings; plain
/// scalars are null, booleans, integers (decimal, <c>0o</c> octal, <c>0x</c> hex, any size) or floats when they look
/// like one, strings otherwise (dates stay strings). Numbers keep their text when it is valid JSON (<c>5.0</c> stays
/// <c>5.0</c>), so the specs' examples are served and compared as written. Duplicate keys, merge keys, unknown tags,
/// <c>.inf</c>/<c>.nan</c> (JSON has no such number) and several documents are errors: a spec must mean one thing.
/// </summary>
internal static partial class YamlToJson
{
    private const string CoreTag = "tag:yaml.org,2002:";

    /// <summary>Parses one YAML document into a JSON node (<see langword="null"/> for an empty text).</summary>
    public static JsonNode? Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count > 1)
        {
            throw new FormatException($"Expected one YAML document, found {stream.Documents.Count}.");
        }

        if (stream.Documents.Count == 0)
        {
            return null;
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
        // Also the bound on a recursive alias, which YamlDotNet loads as a cycle.
        if (depth > 128)
        {
            throw new FormatException($"YAML nested too deeply (recursive alias?) at {node.Start}.");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                // YamlStream already refuses duplicate keys (YamlException).
                writer.WriteStartObject();
                foreach (var (keyNode, value) in mapping.Children)
                {
                    var key = keyNode is YamlScalarNode { Value: { } name }
                        ? name
                        : throw new FormatException($"Only scalar keys are supported, at {keyNode.Start}.");
                    if (key == "<<" && keyNode is YamlScalarNode { Style: ScalarStyle.Plain })
                    {
                        throw new FormatException($"YAML merge keys ('<<') are not supported, at {keyNode.Start}.");
                    }

                    writer.WritePropertyName(key);
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
        switch (tag)
        {
            case CoreTag + "str" or "!":
            case null when scalar.Style != ScalarStyle.Plain:
                writer.WriteStringValue(text);
                return;
            case null or "?":
                break;
            case CoreTag + "null":
                writer.WriteNullValue();
                return;
            case CoreTag + "bool":
                writer.WriteBooleanValue(bool.Parse(text));
                return;
            case CoreTag + "int" or CoreTag + "float":
                if (!TryWriteNumber(writer, text, scalar))
                {
                    throw new FormatException($"'{text}' is not a {tag} at {scalar.Start}.");
                }

                return;
            default:
                throw new FormatException($"Unsupported YAML tag {tag} at {scalar.Start}.");
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
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
        else if (!TryWriteNumber(writer, text, scalar))
        {
            writer.WriteStringValue(text);
        }
    }

    private static bool TryWriteNumber(Utf8JsonWriter writer, string text, YamlScalarNode scalar)
    {
        if (Infinity().IsMatch(text) || text is ".nan" or ".NaN" or ".NAN")
        {
            throw new FormatException($"'{text}' has no JSON number, at {scalar.Start}.");
        }

        var raw = text.StartsWith('+') ? text[1..] : text;
        if (JsonNumber().IsMatch(raw))
        {
            writer.WriteRawValue(raw);
        }
        else if (Integer().IsMatch(raw))
        {
            // Leading zeros (007): the same integer, written as JSON allows.
            writer.WriteRawValue(BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                .ToString(CultureInfo.InvariantCulture));
        }
        else if (OctalOrHex().IsMatch(text))
        {
            var radix = text[1] == 'o' ? 8 : 16;
            var value = text[2..].Aggregate(BigInteger.Zero, (sum, digit) => (sum * radix) + Uri.FromHex(digit));
            writer.WriteRawValue(value.ToString(CultureInfo.InvariantCulture));
        }
        else if (Float().IsMatch(raw))
        {
            // Forms JSON lacks (.5, 1., 007.5): the exact decimal when it fits, else the nearest double.
            if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
            {
                writer.WriteNumberValue(exact);
            }
            else
            {
                writer.WriteNumberValue(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
            }
        }
        else
        {
            return false;
        }

        return true;
    }

    [GeneratedRegex(@"^-?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^0(o[0-7]+|x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex OctalOrHex();

    [GeneratedRegex(@"^-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF)$", RegexOptions.CultureInvariant)]
    private static partial Regex Infinity();
}
