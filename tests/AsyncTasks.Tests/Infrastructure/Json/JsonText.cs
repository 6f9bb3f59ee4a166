using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.Json;

/// <summary>
/// Reads JSON text into <see cref="JToken"/> exactly as written: strings that look like dates stay strings and
/// every number keeps its value (no double rounding), which is what a faithful comparison needs.
/// </summary>
internal static class JsonText
{
    /// <summary>Parses JSON text without date or float conversion.</summary>
    public static JToken Parse(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Decimal,
        };
        var token = JToken.ReadFrom(reader);
        while (reader.Read())
        {
            if (reader.TokenType != JsonToken.Comment)
            {
                throw new JsonReaderException($"Unexpected content after the JSON value at {reader.Path}.");
            }
        }

        return token;
    }

    /// <summary>Serializes an object with a default Newtonsoft serializer (honouring its JsonProperty attributes) and parses it back.</summary>
    public static JToken FromObject(object? value) => Parse(JsonConvert.SerializeObject(value, Formatting.None));

    /// <summary>Compact JSON text of a token.</summary>
    public static string Compact(JToken token) => token.ToString(Formatting.None);
}
