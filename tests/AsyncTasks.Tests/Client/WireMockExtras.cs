using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Client;

/// <summary>WireMock options the shared stub builders lack, as raw mapping tweaks.</summary>
internal static class WireMockExtras
{
    /// <summary>
    /// Registers <paramref name="stub"/> with its body rendered by WireMock's response templating, e.g.
    /// <c>{{request.headers.Authorization}}</c> to echo a request header back (a misbehaving gateway).
    /// </summary>
    public static Task<Guid> AddTemplatedStubAsync(this WireMockServer server, WireMockStub stub)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(stub);
        var mapping = stub.ToJson();
        ((JObject)mapping["response"]!)["transformers"] = new JArray("response-template");
        return server.AddMappingAsync(mapping);
    }

    /// <summary>
    /// Registers <paramref name="stub"/> so that its body is sent in <paramref name="chunks"/> chunks with chunked
    /// transfer encoding and no Content-Length (WireMock <c>chunkedDribbleDelay</c>).
    /// </summary>
    public static Task<Guid> AddChunkedStubAsync(this WireMockServer server, WireMockStub stub, int chunks = 8)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(stub);
        var mapping = stub.ToJson();
        ((JObject)mapping["response"]!)["chunkedDribbleDelay"] = new JObject { ["numberOfChunks"] = chunks, ["totalDuration"] = 40 };
        return server.AddMappingAsync(mapping);
    }
}
