using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AsyncTasks.Generated;
using AsyncTasks.Generated.SkyEngine;
using AsyncTasks.Http;
using NewtonsoftJsonException = Newtonsoft.Json.JsonException;

namespace AsyncTasks.Providers;

/// <summary>
/// The generated SkyEngine client, changed in one place only: how a 200 operation body that may carry an inline video
/// is read. Requests, statuses and errors are the generated client's own.
/// </summary>
/// <remarks>
/// <para>
/// The generated client reads the body with Newtonsoft's <c>JsonTextReader</c>, which holds a string token whole in
/// one <c>char[]</c> that it doubles as it reads: a 50 MiB video (70 M base64 characters) costs 256 MiB of chars, the
/// copies before it and then the decoded bytes, about 8× the video. Here the body is read once into memory
/// (<see cref="ResponseBody"/>); the base64 strings that Newtonsoft would decode into the operation's video bytes
/// (<c>videoBytes</c>, <c>bytesBase64Encoded</c>) and that are at least <see cref="MinimumInlineLength"/> long are
/// decoded straight from the UTF-8 bytes into arrays of their exact size; Newtonsoft then deserializes the generated
/// <see cref="GenerateVideosOperation"/> from the body with each of those strings replaced by a short marker, and
/// the markers in the result are swapped for the decoded arrays. Peak: the body plus the video.
/// </para>
/// <para>
/// Everything else is Newtonsoft's, with the generated client's settings: property matching, duplicates, errors.
/// A body that System.Text.Json's reader does not accept as plain JSON (comments aside), and a string that is escaped
/// or not plain base64, are left to Newtonsoft as they are, so they read (or fail) exactly as in the generated client.
/// </para>
/// </remarks>
internal sealed class SkyEngineOperationReader(HttpClient http, byte[]? secret = null) : SkyEngineClient(http)
{
    /// <summary>Shorter base64 strings (and bodies) are left to Newtonsoft: they cost little there.</summary>
    internal const int MinimumInlineLength = 32 * 1024;

    private const int NonceLength = 16;
    private const int MarkerLength = NonceLength + sizeof(int);

    private static readonly JsonReaderOptions ScanOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    private enum Node : byte
    {
        Other,
        Root,
        Response,
        GeneratedVideos,
        GeneratedVideo,
        Video,
        Videos,
        VertexVideo,
        GeminiResponse,
        GeneratedSamples,
        GeminiSample,
        Base64,
    }

    protected override Task<ObjectResponseResult<T>> ReadObjectResponseAsync<T>(
        HttpResponseMessage response,
        IReadOnlyDictionary<string, IEnumerable<string>> headers,
        CancellationToken cancellationToken) =>
        typeof(T) == typeof(GenerateVideosOperation)
        && !ReadResponseAsString
        && response?.Content is { } content
        && !(content.Headers.ContentLength < MinimumInlineLength)
            ? ReadOperationAsync<T>(response, content, headers, cancellationToken)
            : ReadSmallAsync<T>(response, headers, cancellationToken);

    /// <summary>Bodies that cannot carry a large inline video: through <see cref="GeneratedJson"/>, as the other providers' bodies.</summary>
    private Task<ObjectResponseResult<T>> ReadSmallAsync<T>(
        HttpResponseMessage? response, IReadOnlyDictionary<string, IEnumerable<string>> headers, CancellationToken cancellationToken) =>
        ReadResponseAsString || response?.Content is null
            ? base.ReadObjectResponseAsync<T>(response!, headers, cancellationToken)
            : GeneratedJson.ReadAsync(response, headers, JsonSerializerSettings, secret, static (T? value) => new ObjectResponseResult<T>(value!, string.Empty), cancellationToken);

    /// <summary>
    /// The ranges (start of the opening quote, length of the value) of the unescaped strings at least
    /// <paramref name="minimumLength"/> long that Newtonsoft would read into a video's bytes; none when the body is
    /// not plain JSON.
    /// </summary>
    internal static List<(long Start, long Length)> FindInlineVideos(ReadOnlySequence<byte> json, int minimumLength)
    {
        var found = new List<(long Start, long Length)>();
        long offset = 0;
        if (json.FirstSpan.StartsWith(Encoding.UTF8.Preamble))
        {
            json = json.Slice(Encoding.UTF8.Preamble.Length);
            offset = Encoding.UTF8.Preamble.Length;
        }

        var reader = new Utf8JsonReader(json, ScanOptions);
        var open = new Stack<Node>();
        var property = Node.Other;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = PropertyNode(open.Peek(), ref reader);
                        break;
                    case JsonTokenType.StartObject:
                        open.Push(Slot(open, property) is var node && IsObject(node) ? node : Node.Other);
                        break;
                    case JsonTokenType.StartArray:
                        open.Push(Slot(open, property) is var list && IsArray(list) ? list : Node.Other);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.Pop();
                        break;
                    case JsonTokenType.String when Slot(open, property) == Node.Base64 && !reader.ValueIsEscaped:
                        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                        if (length >= minimumLength)
                        {
                            found.Add((offset + reader.TokenStartIndex, length));
                        }

                        break;
                }
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not plain JSON (or not UTF-8): Newtonsoft reads it as it is, as the generated client would.
            found.Clear();
        }

        return found;
    }

    /// <summary>Base64 text decoded into an array of exactly its size; <see langword="null"/> unless it is plain, padded base64.</summary>
    internal static byte[]? DecodeBase64(ReadOnlySequence<byte> text)
    {
        var length = text.Length;
        if (length == 0 || length % 4 != 0 || length / 4 * 3 > Array.MaxLength)
        {
            return null;
        }

        Span<byte> end = stackalloc byte[2];
        text.Slice(length - 2).CopyTo(end);
        var size = (int)(length / 4 * 3) - (end[1] == '=' ? (end[0] == '=' ? 2 : 1) : 0);
        var bytes = GC.AllocateUninitializedArray<byte>(size);
        var written = 0;

        // Whole quanta of each segment, and a quantum split between segments through 'quantum'.
        Span<byte> quantum = stackalloc byte[4];
        var held = 0;
        var remaining = length;
        foreach (var memory in text)
        {
            var span = memory.Span;
            remaining -= span.Length;
            if (held > 0)
            {
                var take = Math.Min(4 - held, span.Length);
                span[..take].CopyTo(quantum[held..]);
                held += take;
                span = span[take..];
                if (held < 4)
                {
                    continue;
                }

                if (!Decode(quantum, bytes, ref written, isFinalBlock: remaining == 0 && span.IsEmpty))
                {
                    return null;
                }

                held = 0;
            }

            var whole = span.Length & ~3;
            if (whole > 0 && !Decode(span[..whole], bytes, ref written, isFinalBlock: remaining == 0 && whole == span.Length))
            {
                return null;
            }

            span[whole..].CopyTo(quantum);
            held = span.Length - whole;
        }

        return held == 0 && written == size ? bytes : null;

        static bool Decode(ReadOnlySpan<byte> utf8, byte[] bytes, ref int written, bool isFinalBlock)
        {
            var status = Base64.DecodeFromUtf8(utf8, bytes.AsSpan(written), out var consumed, out var count, isFinalBlock);
            written += count;
            return status == OperationStatus.Done && consumed == utf8.Length;
        }
    }

    private static bool IsObject(Node node) =>
        node is Node.Root or Node.Response or Node.GeneratedVideo or Node.Video or Node.VertexVideo or Node.GeminiResponse or Node.GeminiSample;

    private static bool IsArray(Node node) => node is Node.GeneratedVideos or Node.Videos or Node.GeneratedSamples;

    /// <summary>What the value about to be read is: the root, an element of a known array, or what its property named.</summary>
    private static Node Slot(Stack<Node> open, Node property) =>
        open.Count == 0
            ? Node.Root
            : open.Peek() switch
            {
                Node.GeneratedVideos => Node.GeneratedVideo,
                Node.Videos => Node.VertexVideo,
                Node.GeneratedSamples => Node.GeminiSample,
                var parent when IsObject(parent) => property,
                _ => Node.Other,
            };

    /// <summary>
    /// The node a property leads to, matched as Newtonsoft matches the generated properties (ordinal, then ordinal
    /// ignoring case; no two properties of these types differ only in case).
    /// </summary>
    private static Node PropertyNode(Node parent, ref Utf8JsonReader reader) => parent switch
    {
        Node.Root when NameIs(ref reader, "response") => Node.Response,
        Node.Response when NameIs(ref reader, "generatedVideos") => Node.GeneratedVideos,
        Node.Response when NameIs(ref reader, "videos") => Node.Videos,
        Node.Response when NameIs(ref reader, "generateVideoResponse") => Node.GeminiResponse,
        Node.GeneratedVideo when NameIs(ref reader, "videoBytes") => Node.Base64,
        Node.GeneratedVideo when NameIs(ref reader, "video") => Node.Video,
        Node.Video when NameIs(ref reader, "videoBytes") => Node.Base64,
        Node.VertexVideo when NameIs(ref reader, "bytesBase64Encoded") => Node.Base64,
        Node.GeminiResponse when NameIs(ref reader, "generatedSamples") => Node.GeneratedSamples,
        Node.GeminiSample when NameIs(ref reader, "video") => Node.Video,
        _ => Node.Other,
    };

    private static bool NameIs(ref Utf8JsonReader reader, string name) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence && Ascii.IsValid(reader.ValueSpan)
            ? Ascii.EqualsIgnoreCase(reader.ValueSpan, name)
            : string.Equals(reader.GetString(), name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Swaps every marker left in a video's bytes for the array it stands for.</summary>
    private static void Restore(GenerateVideosOperation operation, byte[] nonce, List<byte[]> videos)
    {
        if (operation.Response is not { } response)
        {
            return;
        }

        foreach (var video in response.GeneratedVideos ?? [])
        {
            if (video is not null)
            {
                video.VideoBytes = Restored(video.VideoBytes, nonce, videos);
                if (video.Video is { } nested)
                {
                    nested.VideoBytes = Restored(nested.VideoBytes, nonce, videos);
                }
            }
        }

        foreach (var video in response.Videos ?? [])
        {
            if (video is not null)
            {
                video.BytesBase64Encoded = Restored(video.BytesBase64Encoded, nonce, videos);
            }
        }

        foreach (var sample in response.GenerateVideoResponse?.GeneratedSamples ?? [])
        {
            if (sample?.Video is { } video)
            {
                video.VideoBytes = Restored(video.VideoBytes, nonce, videos);
            }
        }
    }

    private static byte[]? Restored(byte[]? bytes, byte[] nonce, List<byte[]> videos) =>
        bytes is { Length: MarkerLength }
        && bytes.AsSpan(0, NonceLength).SequenceEqual(nonce)
        && BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(NonceLength)) is var index
        && (uint)index < (uint)videos.Count
            ? videos[index]
            : bytes;

    /// <summary>The JSON string that Newtonsoft reads as the marker of video <paramref name="index"/>.</summary>
    private static byte[] MarkerString(byte[] nonce, int index)
    {
        Span<byte> marker = stackalloc byte[MarkerLength];
        nonce.CopyTo(marker);
        BinaryPrimitives.WriteInt32LittleEndian(marker[NonceLength..], index);
        var text = new byte[Base64.GetMaxEncodedToUtf8Length(MarkerLength) + 2];
        text[0] = (byte)'"';
        Base64.EncodeToUtf8(marker, text.AsSpan(1), out _, out var written);
        text[written + 1] = (byte)'"';
        return text;
    }

    private async Task<ObjectResponseResult<T>> ReadOperationAsync<T>(
        HttpResponseMessage response,
        HttpContent content,
        IReadOnlyDictionary<string, IEnumerable<string>> headers,
        CancellationToken cancellationToken)
    {
        // The key, if the answer echoes it, is overwritten as the body streams in, as in every wrapped answer.
        if (secret is not null)
        {
            content = new RedactingContent(content, secret);
        }

        using var body = await ResponseBody.ReadAsync(content, cancellationToken).ConfigureAwait(false);

        var splices = new List<ResponseBody.Splice>();
        var videos = new List<byte[]>();
        var nonce = new byte[NonceLength];
        if (body.Length >= MinimumInlineLength)
        {
            foreach (var (start, length) in FindInlineVideos(body.Sequence, MinimumInlineLength))
            {
                if (DecodeBase64(body.Sequence.Slice(start + 1, length)) is { } video)
                {
                    if (videos.Count == 0)
                    {
                        RandomNumberGenerator.Fill(nonce);
                    }

                    splices.Add(new ResponseBody.Splice(start, length + 2, MarkerString(nonce, videos.Count)));
                    videos.Add(video);
                }
            }
        }

        GenerateVideosOperation? operation;
        try
        {
            operation = Deserialize(splices);
        }
        catch (Exception) when (videos.Count > 0)
        {
            // Rejected with the videos replaced: read the body as it is, as the generated client would, so that the
            // error (or the result) is exactly the generated client's, positions in messages included.
            videos.Clear();
            operation = Deserialize([]);
        }

        if (operation is not null && videos.Count > 0)
        {
            Restore(operation, nonce, videos);
        }

        return new ObjectResponseResult<T>((T)(object)operation!, string.Empty);

        GenerateVideosOperation? Deserialize(IReadOnlyList<ResponseBody.Splice> replaced)
        {
            try
            {
                using var streamReader = new StreamReader(body.OpenRead(replaced));
                using var jsonTextReader = new Newtonsoft.Json.JsonTextReader(streamReader);
                var serializer = Newtonsoft.Json.JsonSerializer.Create(JsonSerializerSettings);
                return serializer.Deserialize<GenerateVideosOperation>(jsonTextReader);
            }
            catch (NewtonsoftJsonException exception)
            {
                // As the generated client reports it.
                var message = "Could not deserialize the response body stream as " + typeof(T).FullName + ".";
                throw new ApiException(message, (int)response.StatusCode, string.Empty, headers, exception);
            }
        }
    }
}
