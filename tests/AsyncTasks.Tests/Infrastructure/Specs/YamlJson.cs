using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AsyncTasks.Tests.Infrastructure.Specs;

/// <summary>
/// Converts a YAML document to JSON following the YAML 1.2 core schema: quoted scalars are strings; plain scalars
/// become null, booleans, integers or floats when they look like one and strings otherwise (dates stay strings,
/// as in JSON). Aliases are expanded; duplicate keys and multi-document files are errors.
/// </summary>
internal static partial class YamlJson
{
    /// <summary>Parses YAML text into a JSON token.</summary>
    public static JToken Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        return stream.Documents.Count switch
        {
            0 => JValue.CreateNull(),
            1 => Convert(stream.Documents[0].RootNode, depth: 0),
            _ => throw new FormatException($"Expected one YAML document, found {stream.Documents.Count}."),
        };
    }

    private static JToken Convert(YamlNode node, int depth)
    {
        if (depth > 256)
        {
            throw new FormatException($"YAML nested too deeply (recursive alias?) at {node.Start}.");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new FormatException($"Only scalar mapping keys are supported, at {keyNode.Start}.");
                    }

                    if (key == "<<" && keyNode is YamlScalarNode { Style: ScalarStyle.Plain })
                    {
                        throw new FormatException($"YAML merge keys ('<<') are not supported, at {keyNode.Start}.");
                    }

                    if (obj.ContainsKey(key))
                    {
                        throw new FormatException($"Duplicate key '{key}' at {keyNode.Start}.");
                    }

                    obj[key] = Convert(valueNode, depth + 1);
                }

                return obj;

            case YamlSequenceNode sequence:
                return new JArray(sequence.Children.Select(child => Convert(child, depth + 1)));

            case YamlScalarNode scalar:
                return ConvertScalar(scalar);

            default:
                throw new FormatException($"Unsupported YAML node {node.NodeType} at {node.Start}.");
        }
    }

    private static JValue ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" or "!")
        {
            return new JValue(text);
        }

        if (scalar.Style != ScalarStyle.Plain && tag is null)
        {
            return new JValue(text);
        }

        switch (tag)
        {
            case null or "?":
                break;
            case "tag:yaml.org,2002:null":
                return JValue.CreateNull();
            case "tag:yaml.org,2002:bool":
                return new JValue(bool.Parse(text));
            case "tag:yaml.org,2002:int":
            case "tag:yaml.org,2002:float":
                return ResolvePlain(text) is { Type: JTokenType.Integer or JTokenType.Float } number
                    ? number
                    : throw new FormatException($"'{text}' is not a {tag} at {scalar.Start}.");
            default:
                throw new FormatException($"Unsupported YAML tag {tag} at {scalar.Start}.");
        }

        return ResolvePlain(text);
    }

    private static JValue ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return JValue.CreateNull();
            case "true" or "True" or "TRUE":
                return new JValue(true);
            case "false" or "False" or "FALSE":
                return new JValue(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return new JValue(double.PositiveInfinity);
            case "-.inf" or "-.Inf" or "-.INF":
                return new JValue(double.NegativeInfinity);
            case ".nan" or ".NaN" or ".NAN":
                return new JValue(double.NaN);
        }

        if (DecimalInteger().IsMatch(text))
        {
            var value = BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return value >= long.MinValue && value <= long.MaxValue ? new JValue((long)value) : new JValue(value);
        }

        if (OctalInteger().IsMatch(text))
        {
            return new JValue(System.Convert.ToInt64(text[2..], 8));
        }

        if (HexInteger().IsMatch(text))
        {
            return new JValue(long.Parse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }

        if (Float().IsMatch(text))
        {
            return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
                ? new JValue(exact)
                : new JValue(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return new JValue(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^0o[0-7]+$", RegexOptions.CultureInvariant)]
    private static partial Regex OctalInteger();

    [GeneratedRegex(@"^0x[0-9a-fA-F]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HexInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
