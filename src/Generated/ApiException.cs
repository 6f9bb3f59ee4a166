using System.Globalization;

namespace AsyncTasks.Generated;

/// <summary>
/// The single exception type thrown by every generated client for a response it cannot turn into its
/// success type: an undocumented HTTP status, a documented error status, or a body it cannot read.
/// </summary>
/// <remarks>
/// NSwag would otherwise emit one <c>ApiException</c> per client namespace, and five identical types collide
/// for consumers. The message never contains the response body: a misbehaving gateway may echo request
/// headers (and so a key) back; the body is kept in <see cref="Response"/> for diagnostics.
/// </remarks>
internal class ApiException : Exception
{
    /// <summary>Creates the exception with the details the generated clients pass.</summary>
    /// <param name="message">What went wrong, without the response body.</param>
    /// <param name="statusCode">The HTTP status code of the response.</param>
    /// <param name="response">The response body as text, if it was read.</param>
    /// <param name="headers">The response headers (content headers included).</param>
    /// <param name="innerException">The underlying error, e.g. a JSON reader error.</param>
    public ApiException(
        string message,
        int statusCode,
        string? response,
        IReadOnlyDictionary<string, IEnumerable<string>> headers,
        Exception? innerException)
        : base(string.Create(CultureInfo.InvariantCulture, $"{message} (HTTP {statusCode})"), innerException)
    {
        StatusCode = statusCode;
        Response = response;
        Headers = headers ?? new Dictionary<string, IEnumerable<string>>();
    }

    /// <summary>The HTTP status code of the response.</summary>
    public int StatusCode { get; }

    /// <summary>The response body as text, when it was read; <see langword="null"/> otherwise.</summary>
    public string? Response { get; }

    /// <summary>The response headers, content headers included.</summary>
    public IReadOnlyDictionary<string, IEnumerable<string>> Headers { get; }
}

/// <summary>An <see cref="ApiException"/> whose error body was read into the documented error type.</summary>
/// <typeparam name="TResult">The error body type the spec documents for that status.</typeparam>
internal class ApiException<TResult> : ApiException
{
    /// <summary>Creates the exception with the deserialized error body.</summary>
    /// <param name="message">What went wrong, without the response body.</param>
    /// <param name="statusCode">The HTTP status code of the response.</param>
    /// <param name="response">The response body as text, if it was read.</param>
    /// <param name="headers">The response headers (content headers included).</param>
    /// <param name="result">The deserialized error body.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ApiException(
        string message,
        int statusCode,
        string? response,
        IReadOnlyDictionary<string, IEnumerable<string>> headers,
        TResult result,
        Exception? innerException)
        : base(message, statusCode, response, headers, innerException)
    {
        Result = result;
    }

    /// <summary>The deserialized error body.</summary>
    public TResult Result { get; }
}
