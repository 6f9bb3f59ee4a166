namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>The transport faults WireMock can answer a request with (<c>response.fault</c>).</summary>
internal enum WireMockFault
{
    /// <summary>Closes the connection with a TCP reset (<c>CONNECTION_RESET_BY_PEER</c>).</summary>
    ConnectionResetByPeer,

    /// <summary>Closes the connection without sending anything (<c>EMPTY_RESPONSE</c>).</summary>
    EmptyResponse,

    /// <summary>Sends a 200 status line, then garbage in place of a chunk (<c>MALFORMED_RESPONSE_CHUNK</c>).</summary>
    MalformedResponseChunk,

    /// <summary>Sends random bytes, then closes the connection (<c>RANDOM_DATA_THEN_CLOSE</c>).</summary>
    RandomDataThenClose,
}

internal static class WireMockFaultExtensions
{
    /// <summary>The name WireMock's admin API expects.</summary>
    public static string ToWireName(this WireMockFault fault) => fault switch
    {
        WireMockFault.ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
        WireMockFault.EmptyResponse => "EMPTY_RESPONSE",
        WireMockFault.MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
        WireMockFault.RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "Unknown WireMock fault."),
    };
}
