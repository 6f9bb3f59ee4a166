namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>The transport faults a stub can answer a request with, as WireMock names them.</summary>
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
