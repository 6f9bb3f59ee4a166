using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.Json;

/// <summary>A location inside a JSON value: property names and array indexes from the root, e.g. <c>$.data.items[0].status</c>.</summary>
internal sealed class JsonLocation : IEquatable<JsonLocation>
{
    private readonly ImmutableList<object> segments;

    private JsonLocation(ImmutableList<object> segments) => this.segments = segments;

    /// <summary>The root (<c>$</c>).</summary>
    public static JsonLocation Root { get; } = new([]);

    /// <summary>The segments: <see cref="string"/> for a property, <see cref="int"/> for an index.</summary>
    public IReadOnlyList<object> Segments => segments;

    /// <summary>The location of a property of this object.</summary>
    public JsonLocation Property(string name) => new(segments.Add(name));

    /// <summary>The location of an element of this array.</summary>
    public JsonLocation Index(int index) => new(segments.Add(index));

    /// <summary>The token at this location in <paramref name="root"/>, or <see langword="null"/> if it is not there.</summary>
    public JToken? Find(JToken root)
    {
        ArgumentNullException.ThrowIfNull(root);
        JToken? current = root;
        foreach (var segment in segments)
        {
            current = (current, segment) switch
            {
                (JObject obj, string name) => obj.TryGetValue(name, StringComparison.Ordinal, out var child) ? child : null,
                (JArray array, int index) => index < array.Count ? array[index] : null,
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>Replaces the token at this location (which must exist and not be the root).</summary>
    public void Replace(JToken root, JToken value)
    {
        if (segments.IsEmpty)
        {
            throw new InvalidOperationException("Cannot replace the root.");
        }

        var token = Find(root) ?? throw new InvalidOperationException($"Nothing at {this} to replace.");
        token.Replace(value);
    }

    /// <inheritdoc />
    public bool Equals(JsonLocation? other) => other is not null && segments.SequenceEqual(other.segments);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as JsonLocation);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder("$");
        foreach (var segment in segments)
        {
            if (segment is int index)
            {
                text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else if (segment is string name && name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(name[0]))
            {
                text.Append('.').Append(name);
            }
            else
            {
                text.Append("['").Append(((string)segment).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
            }
        }

        return text.ToString();
    }
}
