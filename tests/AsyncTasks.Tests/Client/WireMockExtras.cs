using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>Stub registrations for answers shaped by the request or by the transport.</summary>
internal static class WireMockExtras
{
    /// <summary>
    /// Registers <paramref name="stub"/> with its body rendered as a template over the request, e.g.
    /// <c>{{request.headers.Authorization}}</c> to echo a request header back (a misbehaving gateway).
    /// </summary>
    public static Task<Guid> AddTemplatedStubAsync(this WireMockServer server, WireMockStub stub)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(stub);
        return server.AddStubAsync(stub.RespondingWith(stub.Response.WithTemplating()));
    }

    /// <summary>Registers <paramref name="stub"/> so that its body is sent with chunked transfer encoding and no Content-Length.</summary>
    public static Task<Guid> AddChunkedStubAsync(this WireMockServer server, WireMockStub stub)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(stub);
        return server.AddStubAsync(stub.RespondingWith(stub.Response.WithChunkedBody()));
    }
}
