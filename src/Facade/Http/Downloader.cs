using System.Buffers;
using System.Net;
using AsyncTasks.Diagnostics;
using AsyncTasks.Providers;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Http;

/// <summary>Writes an output to a stream: inline bytes directly, URLs streamed with a size cap.</summary>
internal static class Downloader
{
    private const int BufferSize = 81920;

    public static async Task<long> DownloadAsync(
        TaskOutput output,
        Stream destination,
        Lazy<HttpClient> client,
        long maxBytes,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (output.InlineData is { } inline)
        {
            await destination.WriteAsync(inline, cancellationToken).ConfigureAwait(false);
            Log.Downloaded(logger, inline.Length, output.Kind);
            return inline.Length;
        }

        var url = output.Url!;
        var provider = output.Source ?? throw new ArgumentException(
            "The output belongs to no task; build it through a snapshot (AsyncTasksModelFactory.TaskSnapshot).", nameof(output));
        if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
        {
            throw new NotSupportedException(
                $"Cannot download a {url.Scheme}:// output over HTTP; fetch it with that storage's own client.");
        }

        HttpResponseMessage response;
        try
        {
            response = await client.Value.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(provider, TaskErrorKind.Timeout, "the download request timed out", null, exception);
        }
        catch (HttpRequestException exception)
        {
            throw Failure(provider, TaskErrorKind.Transport, "the download failed without a usable response", null, exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode is >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest)
            {
                throw Failure(provider, TaskErrorKind.Protocol, $"the download was redirected more than {HttpPipeline.MaxRedirects} times or without a location", status, null);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Failure(provider, ProviderAdapter.KindOf(status), $"the download answered HTTP {status}", status, null);
            }

            if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
            {
                throw TooLarge(provider, maxBytes, status);
            }

            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            long total = 0;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    while (true)
                    {
                        int read;
                        try
                        {
                            read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception exception) when (exception is IOException or HttpRequestException)
                        {
                            throw Failure(provider, TaskErrorKind.Transport, "the connection broke during the download", status, exception);
                        }

                        if (read == 0)
                        {
                            break;
                        }

                        total += read;
                        if (total > maxBytes)
                        {
                            throw TooLarge(provider, maxBytes, status);
                        }

                        await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Log.Downloaded(logger, total, output.Kind);
            return total;
        }
    }

    private static TaskClientException TooLarge(Provider provider, long maxBytes, int status) =>
        Failure(provider, TaskErrorKind.Protocol, $"the output is larger than the download limit of {maxBytes} bytes (MaxDownloadBytes)", status, null);

    private static TaskClientException Failure(Provider provider, TaskErrorKind kind, string message, int? status, Exception? inner) =>
        new(provider, kind, message, status, innerException: inner);
}
