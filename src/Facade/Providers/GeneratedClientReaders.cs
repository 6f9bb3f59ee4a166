using AsyncTasks.Generated.Duomi;
using AsyncTasks.Generated.Kexiang;
using AsyncTasks.Generated.Mountsea;
using AsyncTasks.Generated.TencentVod;

namespace AsyncTasks.Providers;

// The generated clients with one change: their JSON bodies are read through GeneratedJson (same result, less cost),
// which also overwrites the provider's key (`secret`, its UTF-8 bytes) wherever a 200 answer echoes it. Requests,
// status handling and errors stay the generated code's. SkyEngine's is SkyEngineOperationReader.

/// <summary>The generated Mountsea client, reading bodies through <see cref="GeneratedJson"/>.</summary>
internal sealed class MountseaReader(HttpClient http, byte[]? secret = null) : MountseaClient(http)
{
    protected override Task<ObjectResponseResult<T>> ReadObjectResponseAsync<T>(
        HttpResponseMessage response, IReadOnlyDictionary<string, IEnumerable<string>> headers, CancellationToken cancellationToken) =>
        ReadResponseAsString || response?.Content is null
            ? base.ReadObjectResponseAsync<T>(response!, headers, cancellationToken)
            : GeneratedJson.ReadAsync(response, headers, JsonSerializerSettings, secret, static (T? value) => new ObjectResponseResult<T>(value!, string.Empty), cancellationToken);
}

/// <summary>The generated duomi client, reading bodies through <see cref="GeneratedJson"/>.</summary>
internal sealed class DuomiReader(HttpClient http, byte[]? secret = null) : DuomiClient(http)
{
    protected override Task<ObjectResponseResult<T>> ReadObjectResponseAsync<T>(
        HttpResponseMessage response, IReadOnlyDictionary<string, IEnumerable<string>> headers, CancellationToken cancellationToken) =>
        ReadResponseAsString || response?.Content is null
            ? base.ReadObjectResponseAsync<T>(response!, headers, cancellationToken)
            : GeneratedJson.ReadAsync(response, headers, JsonSerializerSettings, secret, static (T? value) => new ObjectResponseResult<T>(value!, string.Empty), cancellationToken);
}

/// <summary>The generated kexiang client, reading bodies through <see cref="GeneratedJson"/>.</summary>
internal sealed class KexiangReader(HttpClient http, byte[]? secret = null) : KexiangClient(http)
{
    protected override Task<ObjectResponseResult<T>> ReadObjectResponseAsync<T>(
        HttpResponseMessage response, IReadOnlyDictionary<string, IEnumerable<string>> headers, CancellationToken cancellationToken) =>
        ReadResponseAsString || response?.Content is null
            ? base.ReadObjectResponseAsync<T>(response!, headers, cancellationToken)
            : GeneratedJson.ReadAsync(response, headers, JsonSerializerSettings, secret, static (T? value) => new ObjectResponseResult<T>(value!, string.Empty), cancellationToken);
}

/// <summary>The generated Tencent VOD client, reading bodies through <see cref="GeneratedJson"/>.</summary>
internal sealed class TencentVodReader(HttpClient http, byte[]? secret = null) : TencentVodClient(http)
{
    protected override Task<ObjectResponseResult<T>> ReadObjectResponseAsync<T>(
        HttpResponseMessage response, IReadOnlyDictionary<string, IEnumerable<string>> headers, CancellationToken cancellationToken) =>
        ReadResponseAsString || response?.Content is null
            ? base.ReadObjectResponseAsync<T>(response!, headers, cancellationToken)
            : GeneratedJson.ReadAsync(response, headers, JsonSerializerSettings, secret, static (T? value) => new ObjectResponseResult<T>(value!, string.Empty), cancellationToken);
}
