using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AsyncTasks.Generated;
using AsyncTasks.Generated.SkyEngine;
using AsyncTasks.Http;

namespace AsyncTasks.Providers;

/// <summary>
/// The generated SkyEngine client with one change: an operation answer large enough to carry an inline video is read
/// without Newtonsoft holding the video's base64 text. Every other answer, and every request, status and error, is the
/// generated client's own.
/// </summary>
/// <remarks>
/// Newtonsoft reads a string token whole into a <c>char[]</c> that it doubles as it grows: a 50 MiB video (67 MiB of
/// base64) would cost several times its size. Here the masked body, already in memory (<see cref="AnswerContent"/>),
/// is walked once with <see cref="Utf8JsonReader"/>; each long base64 string at one of the <see cref="VideoPaths"/> is
/// decoded straight into an array of its exact size and replaced, in a copy of the body without those strings (a few
/// KiB), by a short random marker. Newtonsoft deserializes that copy with the generated settings, so every value lands
/// where the generated client would put it (duplicates, letter case, references included), and the markers are then
/// swapped for the decoded arrays. Peak: the body plus the videos. A body the walk cannot read, a string that is
/// escaped or not plain base64, or a copy Newtonsoft refuses, is read as generated, so it reads (or fails) exactly as
/// in the generated client.
/// </remarks>
internal sealed class SkyEngineOperationReader(HttpClient http) : SkyEngineClient(http)
{
    /// <summary>Smaller bodies and strings cost little in Newtonsoft: they are read as generated.</summary>
    internal const int MinimumInlineLength = 32 * 1024;

    /// <summary>Where a Veo answer carries video bytes: the four shapes <see cref="SkyEngineAdapter"/> reads (array elements as []).</summary>
    private static readonly HashSet<string> VideoPaths = new(StringComparer.OrdinalIgnoreCase)
    {
        "response.generatedVideos[].videoBytes",
        "response.generatedVideos[].video.videoBytes",
        "response.videos[].bytesBase64Encoded",
        "response.generateVideoResponse.generatedSamples[].video.videoBytes",
    };

    private const int NonceLength = 16;

    protected override async Task<ObjectResponseResult<T>> ReadObjectResponseAsync<T>(
        HttpResponseMessage response, IReadOnlyDictionary<string, IEnumerable<string>> headers, CancellationToken cancellationToken)
    {
        if (typeof(T) == typeof(GenerateVideosOperation)
            && response?.Content is AnswerContent { Body.Length: >= MinimumInlineLength } answer
            && FindVideos(answer.Body.Span) is { Count: > 0 } videos
            && ReadWithMarkers(answer.Body, videos) is { } operation)
        {
            return new ObjectResponseResult<T>((T)(object)operation, string.Empty);
        }

        return await base.ReadObjectResponseAsync<T>(response!, headers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where the plain base64 strings at <see cref="VideoPaths"/>, at least <see cref="MinimumInlineLength"/> long, are (quotes included), decoded.</summary>
    internal static List<(int Start, int Length, byte[] Bytes)> FindVideos(ReadOnlySpan<byte> body)
    {
        var found = new List<(int Start, int Length, byte[] Bytes)>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var open = new Stack<(string Path, bool IsArray)>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                // The path of the value about to be read.
                var path = !open.TryPeek(out var parent) ? string.Empty
                    : parent.IsArray ? parent.Path + "[]"
                    : parent.Path.Length == 0 ? property! : $"{parent.Path}.{property}";
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Push((path, reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.Pop();
                        break;
                    case JsonTokenType.String when !reader.ValueIsEscaped && reader.ValueSpan.Length >= MinimumInlineLength
                        && VideoPaths.Contains(path) && Decode(reader.ValueSpan) is { } bytes:
                        found.Add(((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2, bytes));
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not plain JSON: Newtonsoft reads it as it is, as the generated client would.
            found.Clear();
        }

        return found;
    }

    /// <summary>Plain, padded base64 decoded into an array of exactly its size; <see langword="null"/> for anything else.</summary>
    internal static byte[]? Decode(ReadOnlySpan<byte> base64)
    {
        if (base64.Length % 4 != 0)
        {
            return null;
        }

        var padding = base64.EndsWith("=="u8) ? 2 : base64.EndsWith("="u8) ? 1 : 0;
        var bytes = GC.AllocateUninitializedArray<byte>((base64.Length / 4 * 3) - padding);
        return Base64.DecodeFromUtf8(base64, bytes, out var consumed, out var written) == OperationStatus.Done
            && consumed == base64.Length && written == bytes.Length
                ? bytes
                : null;
    }

    /// <summary>
    /// Deserializes the body with each video string replaced by a marker, then swaps the markers for the videos;
    /// <see langword="null"/> when Newtonsoft refuses that copy (the body is then read as generated, for its error).
    /// </summary>
    private GenerateVideosOperation? ReadWithMarkers(ReadOnlyMemory<byte> body, List<(int Start, int Length, byte[] Bytes)> videos)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        using var copy = new MemoryStream();
        var copied = 0;
        for (var i = 0; i < videos.Count; i++)
        {
            copy.Write(body.Span[copied..videos[i].Start]);
            copy.Write(Encoding.ASCII.GetBytes($"\"{Convert.ToBase64String(Marker(nonce, i))}\""));
            copied = videos[i].Start + videos[i].Length;
        }

        copy.Write(body.Span[copied..]);
        copy.Position = 0;

        GenerateVideosOperation? operation;
        try
        {
            using var text = new StreamReader(copy);
            using var json = new Newtonsoft.Json.JsonTextReader(text);
            operation = Newtonsoft.Json.JsonSerializer.Create(JsonSerializerSettings).Deserialize<GenerateVideosOperation>(json);
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return null;
        }

        if (operation?.Response is { } response)
        {
            byte[]? Restore(byte[]? bytes) =>
                bytes is { Length: NonceLength + sizeof(int) } && bytes.AsSpan(0, NonceLength).SequenceEqual(nonce)
                && BitConverter.ToInt32(bytes, NonceLength) is var index && (uint)index < (uint)videos.Count
                    ? videos[index].Bytes
                    : bytes;

            foreach (var video in response.GeneratedVideos ?? [])
            {
                video?.VideoBytes = Restore(video.VideoBytes);
                video?.Video?.VideoBytes = Restore(video.Video.VideoBytes);
            }

            foreach (var video in response.Videos ?? [])
            {
                video?.BytesBase64Encoded = Restore(video.BytesBase64Encoded);
            }

            foreach (var sample in response.GenerateVideoResponse?.GeneratedSamples ?? [])
            {
                sample?.Video?.VideoBytes = Restore(sample.Video.VideoBytes);
            }
        }

        return operation;
    }

    /// <summary>The bytes a marker stands for: the nonce, then the video's index.</summary>
    private static byte[] Marker(byte[] nonce, int index) => [.. nonce, .. BitConverter.GetBytes(index)];
}
