using System.Globalization;
using System.Net;
using AsyncTasks.Generated;
using Newtonsoft.Json;

namespace AsyncTasks.Providers;

/// <summary>How a provider expects its key: the header and the text before the key.</summary>
/// <param name="HeaderName">The request header that carries the key.</param>
/// <param name="Prefix">Text written before the key, e.g. <c>"Bearer "</c>; empty for a raw key.</param>
internal sealed record ApiKeyScheme(string HeaderName, string Prefix)
{
    public static ApiKeyScheme Bearer { get; } = new("Authorization", "Bearer ");
}

/// <summary>
/// The only place that knows one provider's quirks: how to call its generated client, how to read its
/// response into a <see cref="TaskSnapshot"/>, and how it reports errors. One subclass per provider.
/// </summary>
internal abstract class ProviderAdapter
{
    /// <summary>Response headers that carry a request id, most specific first.</summary>
    private static readonly string[] RequestIdHeaders =
        ["X-Request-Id", "X-Trace-Id", "Request-Id", "X-Tc-RequestId", "X-Correlation-Id", "traceparent"];

    public abstract Provider Provider { get; }

    /// <summary>The text name, as in <see cref="TaskRef"/> strings and on the command line (e.g. <c>tencent-vod</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The published base URL, or <see langword="null"/> when the user must configure one.</summary>
    public abstract Uri? DefaultBaseUrl { get; }

    /// <summary>The first delay between polls when the user sets none.</summary>
    public abstract TimeSpan DefaultPollInterval { get; }

    public abstract ApiKeyScheme KeyScheme { get; }

    /// <summary>
    /// Rejects ids that cannot be sent as the provider expects, before any request. The default refuses "." and
    /// "..", which a URL parser would resolve as path steps instead of sending them as an id.
    /// </summary>
    /// <exception cref="ArgumentException">The id cannot be sent.</exception>
    public virtual void ValidateId(string id)
    {
        if (id is "." or "..")
        {
            throw new ArgumentException(
                $"'{id}' is not a valid {Provider.GetName()} task id: it would be read as a path step, not sent as an id.",
                nameof(id));
        }
    }

    /// <summary>The task as it is read: an id that leaves out what the options supply is completed (SkyEngine's short names).</summary>
    public virtual TaskRef Complete(TaskRef task, ProviderOptions options) => task;

    /// <summary>Reads the task once. Every failure but an invalid id leaves as a <see cref="TaskClientException"/>.</summary>
    /// <param name="task">The task.</param>
    /// <param name="http">The provider's HTTP client (base address, handler chain).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="timeProvider">The clock of Retry-After dates in errors; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="maxOutputs">The most outputs one answer may list (<see cref="AnswerLimits.MaxOutputs"/>).</param>
    public abstract Task<TaskSnapshot> GetAsync(
        TaskRef task,
        HttpClient http,
        CancellationToken cancellationToken,
        TimeProvider? timeProvider = null,
        int maxOutputs = int.MaxValue);

    /// <summary>The provider's error code and message in a documented error body, if the exception carries one.</summary>
    protected virtual (string? Code, string? Message) ReadErrorBody(ApiException exception) => (null, null);

    /// <summary>
    /// The kind of an HTTP error with the error body's code and message: by default what the status means
    /// (<see cref="KindOf"/>); a provider whose status is not precise enough refines it from the body.
    /// </summary>
    protected virtual TaskErrorKind KindOfError(int status, string? code, string? message) => KindOf(status);

    /// <summary>The kind of failure an HTTP status means (shared by every provider).</summary>
    internal static TaskErrorKind KindOf(int status) => status switch
    {
        401 or 403 => TaskErrorKind.Authentication,
        404 or 410 => TaskErrorKind.NotFound,
        429 => TaskErrorKind.RateLimited,
        408 => TaskErrorKind.Timeout,
        424 or >= 500 => TaskErrorKind.Server,
        _ => TaskErrorKind.Protocol,
    };

    /// <summary>Turns what the generated client threw into the facade's error.</summary>
    internal TaskClientException FromApiException(ApiException exception, DateTimeOffset now)
    {
        var status = exception.StatusCode;
        var (code, message) = ReadErrorBody(exception);
        var requestId = FindRequestId(exception.Headers);
        var kind = status is >= 200 and < 300 ? TaskErrorKind.Protocol : KindOfError(status, code, message);
        var description = kind == TaskErrorKind.Protocol && status is >= 200 and < 300
            ? DescribeUnreadableSuccess(exception)
            : $"the API answered HTTP {status.ToString(CultureInfo.InvariantCulture)}{(message is null ? string.Empty : $": {Sanitize(message)}")}";
        return new TaskClientException(Provider, kind, description, status, code, requestId, exception)
        {
            RetryAfter = RetryAfterParser.Parse(exception.Headers, now),
        };
    }

    /// <summary>An error the provider reported inside a successful HTTP response (an envelope code, Tencent's Response.Error).</summary>
    protected TaskClientException InBandError(TaskErrorKind kind, string? code, string? message, string? requestId) =>
        new(
            Provider,
            kind,
            $"the API reported an error{(message is null ? string.Empty : $": {Sanitize(message)}")}",
            200,
            code,
            requestId);

    /// <summary>A response that parsed but does not have the shape a task result must have.</summary>
    protected TaskClientException Malformed(string what, string? requestId = null) =>
        new(Provider, TaskErrorKind.Protocol, $"the response is not a task result: {what}", 200, requestId: requestId);

    internal static string? FindRequestId(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var name in RequestIdHeaders)
        {
            foreach (var (key, values) in headers)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    var value = values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
                    if (value is not null)
                    {
                        return value;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Error text from a provider is shown to users: keep it to one bounded line.</summary>
    internal static string Sanitize(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : string.Concat(line.AsSpan(0, 300), "…");
    }

    /// <summary>Parses a number code (e.g. 2101.0) as invariant text without a fraction when it has none.</summary>
    protected static string? CodeText(double? code) =>
        code is { } value ? value.ToString("0.################", CultureInfo.InvariantCulture) : null;

    protected static string? CodeText(long? code) => code?.ToString(CultureInfo.InvariantCulture);

    private static string DescribeUnreadableSuccess(ApiException exception) =>
        exception.InnerException is JsonException
            ? "the response body is not the JSON the API documents (malformed or truncated)"
            : string.IsNullOrEmpty(exception.Response)
                ? "the response body is empty"
                : "the response body is not a task result";

    private protected static string DescribeTransport(HttpRequestException exception) =>
        exception.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "could not connect",
            HttpRequestError.NameResolutionError => "the host name could not be resolved",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            HttpRequestError.ResponseEnded => "the connection closed before the response ended",
            HttpRequestError.InvalidResponse => "the response is not valid HTTP",
            HttpRequestError.ProxyTunnelError => "the proxy tunnel failed",
            _ => "transport error",
        };
}

/// <summary>An adapter whose generated client answers with a <typeparamref name="TResult"/>: a call, then a mapping.</summary>
/// <typeparam name="TResult">What the provider's generated client returns.</typeparam>
internal abstract class ProviderAdapter<TResult> : ProviderAdapter
{
    /// <summary>
    /// Calls the provider's generated client, created with <c>ReadResponseAsString</c> on: the answer handler already
    /// holds the body in memory, and reading it as text spares the generated stream reader's buffers (about 2 KiB a read).
    /// </summary>
    protected abstract Task<TResult> CallAsync(TaskRef task, HttpClient http, CancellationToken cancellationToken);

    /// <summary>Maps what the generated client read. In-band API errors and malformed answers are thrown as <see cref="TaskClientException"/>.</summary>
    /// <param name="task">The task read.</param>
    /// <param name="result">What the generated client read.</param>
    /// <param name="raw">The masked answer body, for <see cref="TaskSnapshot.RawResponse"/>.</param>
    protected abstract TaskSnapshot Map(TaskRef task, TResult result, BinaryData? raw);

    /// <inheritdoc />
    public sealed override async Task<TaskSnapshot> GetAsync(
        TaskRef task,
        HttpClient http,
        CancellationToken cancellationToken,
        TimeProvider? timeProvider = null,
        int maxOutputs = int.MaxValue)
    {
        // A malformed id is the caller's mistake (ArgumentException), not a provider error: not translated.
        ArgumentNullException.ThrowIfNull(task);
        ValidateId(task.Id);
        TaskSnapshot snapshot;
        try
        {
            // The answer handler puts the masked body here (this flow only; restored when the method returns).
            var slot = new Http.AnswerSlot();
            Http.ApiAnswerHandler.Slot.Value = slot;
            var result = await CallAsync(task, http, cancellationToken).ConfigureAwait(false);
            snapshot = Map(task, result, slot.Body);
        }
        catch (TaskClientException)
        {
            throw;
        }
        catch (ApiException exception)
        {
            throw FromApiException(exception, (timeProvider ?? TimeProvider.System).GetUtcNow());
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation the caller did not ask for.
            throw new TaskClientException(
                Provider, TaskErrorKind.Timeout, "the request timed out", innerException: exception);
        }
        catch (HttpRequestException exception)
        {
            throw new TaskClientException(
                Provider,
                TaskErrorKind.Transport,
                $"the request failed without a usable response ({DescribeTransport(exception)})",
                httpStatus: exception.StatusCode is { } status ? (int)status : null,
                innerException: exception);
        }
        catch (InvalidOperationException exception) when (Http.HttpPipeline.IsTooManyRedirects(exception))
        {
            throw new TaskClientException(
                Provider, TaskErrorKind.Protocol, $"the API redirected {Http.HttpPipeline.DescribeRefusedRedirect(exception)}", innerException: exception);
        }
        catch (IOException exception)
        {
            throw new TaskClientException(
                Provider, TaskErrorKind.Transport, "the connection broke while reading the response", innerException: exception);
        }
        catch (JsonException exception)
        {
            throw new TaskClientException(
                Provider, TaskErrorKind.Protocol, "the response is not the JSON the API documents", 200, innerException: exception);
        }
        catch (Exception exception) when (exception is FormatException or InvalidCastException or ArgumentException)
        {
            // A value of an unexpected form deep in a response (a date, a base64 string) must not escape raw.
            throw new TaskClientException(
                Provider, TaskErrorKind.Protocol, "the response holds a value of an unexpected form", 200, innerException: exception);
        }

        if (snapshot.Outputs.Count > maxOutputs)
        {
            throw new TaskClientException(
                Provider,
                TaskErrorKind.Protocol,
                $"the answer lists {snapshot.Outputs.Count} outputs, more than the limit of {maxOutputs} (MaxOutputs)",
                200,
                requestId: snapshot.RequestId);
        }

        return snapshot;
    }
}

/// <summary>Reads Retry-After in either form: delay-seconds or an HTTP date.</summary>
internal static class RetryAfterParser
{
    public static TimeSpan? Parse(IReadOnlyDictionary<string, IEnumerable<string>>? headers, DateTimeOffset now)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (key, values) in headers)
        {
            if (string.Equals(key, "Retry-After", StringComparison.OrdinalIgnoreCase))
            {
                return Parse(values.FirstOrDefault(), now);
            }
        }

        return null;
    }

    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2));
        }

        if (DateTimeOffset.TryParseExact(
                value,
                "r",
                CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
                out var date))
        {
            var delay = date - now;
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }

    public static TimeSpan? Parse(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta;
        }

        if (header.Date is { } date)
        {
            var delay = date - now;
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }
}

/// <summary>Small shared readers used by the adapters.</summary>
internal static class ProviderValues
{
    /// <summary>Looks a raw status up in a mapping table; unlisted or missing gives <see cref="TaskState.Unknown"/>.</summary>
    public static TaskState MapState(IReadOnlyDictionary<string, TaskState> table, string? raw) =>
        raw is not null && table.TryGetValue(raw.Trim(), out var state) ? state : TaskState.Unknown;

    /// <summary>An absolute http(s) URL, or <see langword="null"/> for anything else (empty, relative, other schemes).</summary>
    public static Uri? HttpUrl(string? text) =>
        !string.IsNullOrWhiteSpace(text)
        && Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : null;

    /// <summary>Any absolute URL (e.g. gs://), or <see langword="null"/>.</summary>
    public static Uri? AbsoluteUrl(string? text) =>
        !string.IsNullOrWhiteSpace(text) && Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>Unix epoch seconds written as text, e.g. "1767000210"; <see langword="null"/> when absent or unreadable.</summary>
    public static DateTimeOffset? EpochSeconds(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
        && seconds > 0
        && seconds < 253402300800L
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>
    /// Any provider's time field, the one reader every adapter uses: Unix epoch seconds written as digits (Duomi),
    /// else ISO 8601. A placeholder — absent, empty, <c>0</c>, the zero date <c>0000-00-00…</c> — or an unreadable
    /// text is "no time" (<see langword="null"/>), never an unreadable answer: gateways send them for "not yet".
    /// </summary>
    public static DateTimeOffset? Time(string? text) =>
        text is not null && text.Trim() is { Length: > 0 } trimmed && trimmed.All(char.IsAsciiDigit) ? EpochSeconds(trimmed) : IsoTime(text);

    /// <summary>
    /// An ISO 8601 time as text; <see langword="null"/> when absent, unreadable, or the zero date
    /// (<c>0000-00-00T00:00:00Z</c>, used by Tencent for "not yet").
    /// </summary>
    public static DateTimeOffset? IsoTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.StartsWith("0000-00-00", StringComparison.Ordinal))
        {
            return null;
        }

        return DateTimeOffset.TryParse(
            text.Trim(),
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var time)
            ? time
            : null;
    }

    /// <summary>The text, or <see langword="null"/> when it is absent, empty or white space (providers send "" for "none").</summary>
    public static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>Progress clamped to 0–100.</summary>
    public static int? Progress(int? value) => value is { } v ? Math.Clamp(v, 0, 100) : null;
}

/// <summary>
/// The outputs of one answer in the order found, each URL once. A set finds repeats, so an answer with many outputs
/// costs time in proportion to its size.
/// </summary>
/// <param name="provider">The provider whose task produced them (see <see cref="TaskOutput.Source"/>).</param>
internal sealed class OutputList(Provider provider)
{
    private readonly List<TaskOutput> _outputs = [];
    private readonly HashSet<Uri> _urls = [];

    public int Count => _outputs.Count;

    /// <summary>Adds an output behind <paramref name="url"/>, unless the list already holds that URL.</summary>
    public void Add(TaskOutputKind kind, Uri url, string? mimeType = null, string? fileName = null, DateTimeOffset? expiresAt = null)
    {
        if (_urls.Add(url))
        {
            _outputs.Add(new TaskOutput(kind, url, null, mimeType, fileName, expiresAt, provider));
        }
    }

    /// <summary>Adds an output carrying its bytes.</summary>
    public void AddInline(TaskOutputKind kind, byte[] data, string? mimeType) =>
        _outputs.Add(new TaskOutput(kind, null, data, mimeType, null, null, provider));

    public IReadOnlyList<TaskOutput> ToList() => _outputs;
}
