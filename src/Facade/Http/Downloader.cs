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
        TimeSpan readTimeout,
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
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        // The key handler attaches this provider's key only if the URL is on that provider's own origin.
        request.Options.Set(ApiKeyHandler.SourceProvider, provider);
        try
        {
            response = await client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(provider, TaskErrorKind.Timeout, "the download request timed out", null, exception);
        }
        catch (HttpRequestException exception)
        {
            throw Failure(provider, TaskErrorKind.Transport, "the download failed without a usable response", null, exception);
        }
        catch (InvalidOperationException exception) when (HttpPipeline.IsTooManyRedirects(exception))
        {
            throw Failure(provider, TaskErrorKind.Protocol, $"the download was redirected {HttpPipeline.DescribeRefusedRedirect(exception)}", null, exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode is >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest)
            {
                // Kiota's handler follows 301, 302, 303, 307 and 308 (or throws); any other 3xx arrives here unfollowed.
                throw Failure(provider, TaskErrorKind.Protocol, $"the download answered HTTP {status}, a redirect that is not followed", status, null);
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

            // HttpClient.Timeout ends at the response headers; a body that stops arriving would otherwise hang
            // forever. Each read may take up to the request timeout (real time, like HttpClient.Timeout).
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
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
                            idle.CancelAfter(readTimeout);
                            read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), idle.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
                        {
                            throw Failure(provider, TaskErrorKind.Timeout, $"the download stalled: no data for {readTimeout}", status, exception);
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
