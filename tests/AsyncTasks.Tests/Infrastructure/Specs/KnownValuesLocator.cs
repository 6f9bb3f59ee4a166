using AsyncTasks.Tests.Infrastructure.Json;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.Specs;

/// <summary>
/// Finds, in an example body, the string values whose schema declares <c>x-known-values</c> (the documented
/// values of a status-like field), by walking the schema and the example together: <c>$ref</c> into
/// components, <c>allOf</c>/<c>oneOf</c>/<c>anyOf</c>, <c>properties</c>, <c>additionalProperties</c> and <c>items</c>.
/// </summary>
internal static class KnownValuesLocator
{
    /// <summary>The extension that lists a string property's documented values.</summary>
    public const string Extension = "x-known-values";

    /// <summary>The locations (in document order, no duplicates) of x-known-values strings in <paramref name="example"/>.</summary>
    public static IReadOnlyList<JsonLocation> Find(SpecDocument spec, JToken? schema, JToken example)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(example);
        var found = new List<JsonLocation>();
        Walk(spec, schema, example, JsonLocation.Root, found, depth: 0);
        return found;
    }

    private static void Walk(SpecDocument spec, JToken? schemaToken, JToken example, JsonLocation location, List<JsonLocation> found, int depth)
    {
        if (schemaToken is not JObject || depth > 64)
        {
            return;
        }

        // The schema and what its $ref chain points to (OpenAPI 3.1 allows keywords beside $ref).
        var chain = new List<JObject>();
        for (JToken? node = schemaToken; node is JObject obj && chain.Count < 32; )
        {
            chain.Add(obj);
            node = obj["$ref"] is JValue { Type: JTokenType.String } reference ? spec.ResolvePointer((string)reference!) : null;
        }

        if (example.Type == JTokenType.String && chain.Any(s => s[Extension] is JArray))
        {
            if (!found.Contains(location))
            {
                found.Add(location);
            }

            return;
        }

        foreach (var schema in chain)
        {
            foreach (var keyword in (string[])["allOf", "oneOf", "anyOf"])
            {
                foreach (var sub in schema[keyword] as JArray ?? [])
                {
                    Walk(spec, sub, example, location, found, depth + 1);
                }
            }

            switch (example)
            {
                case JObject obj:
                    foreach (var (name, value) in obj)
                    {
                        var propertySchema = schema["properties"]?[name] ?? (schema["additionalProperties"] as JObject);
                        Walk(spec, propertySchema, value!, location.Property(name), found, depth + 1);
                    }

                    break;

                case JArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Walk(spec, schema["items"], array[i], location.Index(i), found, depth + 1);
                    }

                    break;
            }
        }
    }
}
