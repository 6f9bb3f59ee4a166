using System.Globalization;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.Specs;

/// <summary>Where a parameter goes.</summary>
internal enum SpecParameterLocation
{
    /// <summary>A segment of the path template.</summary>
    Path,

    /// <summary>A query string parameter.</summary>
    Query,

    /// <summary>A request header.</summary>
    Header,

    /// <summary>A cookie.</summary>
    Cookie,
}

/// <summary>One parameter of an operation (path-item and operation parameters merged, $ref resolved).</summary>
/// <param name="Name">The name on the wire.</param>
/// <param name="Location">Where it goes.</param>
/// <param name="Required">Whether the spec requires it.</param>
/// <param name="Example">The parameter-level <c>example</c>, as a string; <see langword="null"/> when missing.</param>
/// <param name="Schema">Its schema, $ref resolved, if any.</param>
internal sealed record SpecParameter(string Name, SpecParameterLocation Location, bool Required, string? Example, JObject? Schema);

/// <summary>A header that carries the key, derived from the operation's security requirement.</summary>
/// <param name="SchemeName">The key of <c>components.securitySchemes</c>.</param>
/// <param name="HeaderName">The header that carries the credential.</param>
/// <param name="ValuePrefix">Text put before the key: <c>"Bearer "</c> for HTTP bearer, empty for an API key header.</param>
internal sealed record SpecAuthHeader(string SchemeName, string HeaderName, string ValuePrefix)
{
    /// <summary>The exact header value sent for <paramref name="key"/>.</summary>
    public string ValueFor(string key) => ValuePrefix + key;
}

/// <summary>One documented response example.</summary>
/// <param name="Operation">The operation it answers.</param>
/// <param name="StatusKey">The response key in the spec ("200", "404", "default", "4XX").</param>
/// <param name="Name">The key under <c>examples</c> (or <c>example</c> for a media-type level example).</param>
/// <param name="Summary">The example's <c>summary</c>.</param>
/// <param name="Source">The example's <c>x-source</c>.</param>
/// <param name="Value">The example body (its <c>value</c>).</param>
/// <param name="Schema">The schema of the application/json content, if documented.</param>
/// <param name="ExampleLocation">JSON pointer-ish location of the example in the spec, for messages.</param>
internal sealed record SpecResponseExample(
    SpecOperation Operation,
    string StatusKey,
    string Name,
    string? Summary,
    string? Source,
    JToken Value,
    JToken? Schema,
    string ExampleLocation)
{
    /// <summary>The HTTP status to answer with: the key itself, or a representative code for default/4XX/5XX.</summary>
    public int StatusCode => StatusKey switch
    {
        "default" => 500,
        [var digit, 'X' or 'x', 'X' or 'x'] when char.IsAsciiDigit(digit) => (digit - '0') * 100,
        _ => int.Parse(StatusKey, NumberStyles.None, CultureInfo.InvariantCulture),
    };

    /// <summary>Whether the status is a success (2xx).</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <inheritdoc />
    public override string ToString() => $"{Operation.Spec.FileName} {Operation.Method} {Operation.Path} {StatusKey} '{Name}'";
}

/// <summary>One operation of a spec.</summary>
/// <param name="Spec">Its document.</param>
/// <param name="Path">The path template, e.g. <c>/v1/tasks/{task_id}</c>.</param>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="OperationId">The <c>operationId</c>; names the generated method.</param>
/// <param name="Parameters">Path-item and operation parameters (operation wins on name + location).</param>
/// <param name="AuthHeaders">The headers the security requirement asks for (empty when none).</param>
/// <param name="Node">The operation object.</param>
internal sealed record SpecOperation(
    SpecDocument Spec,
    string Path,
    string Method,
    string? OperationId,
    IReadOnlyList<SpecParameter> Parameters,
    IReadOnlyList<SpecAuthHeader> AuthHeaders,
    JObject Node)
{
    /// <summary>The response examples of the operation, in document order.</summary>
    public IReadOnlyList<SpecResponseExample> Examples { get; internal set; } = [];

    /// <summary>The responses object.</summary>
    public JObject Responses => Node["responses"] as JObject ?? [];

    /// <inheritdoc />
    public override string ToString() => $"{Spec.FileName} {Method} {Path} ({OperationId})";
}
