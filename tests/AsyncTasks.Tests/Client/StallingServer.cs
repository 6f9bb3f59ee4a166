using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// A one-purpose HTTP server on 127.0.0.1 that answers every request with a 200, its headers and the first
/// <c>sentBytes</c> of a longer body, then goes silent with the connection open: a download that stalls mid-body,
/// which WireMock cannot model (its dribble delays the headers too).
/// </summary>
internal sealed class StallingServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    public StallingServer(int declaredLength, int sentBytes)
    {
        _listener.Start();
        Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/stalling.bin"));
        _accepting = AcceptAsync(declaredLength, sentBytes);
    }

    /// <summary>Where to download from.</summary>
    public Uri Url { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(int declaredLength, int sentBytes)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(connection);
                }

                var stream = connection.GetStream();
                var request = new byte[8192];
                var read = 0;
                while (!Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(request.AsMemory(read), _stop.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                var head = string.Create(
                    CultureInfo.InvariantCulture,
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {declaredLength}\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(new byte[sentBytes], _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // Stopped.
        }
    }
}
