using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AsyncTasks.Benchmarks.Infrastructure;

namespace AsyncTasks.Benchmarks.Scenarios;

/// <summary>
/// Benchmark 4, large outputs. Each case runs in a fresh child process (this program with <c>child large …</c>)
/// so that no earlier benchmark's heap is resident or reusable, and measures <c>GetAsync</c> + <c>DownloadAsync</c>
/// to a file of a SkyEngine operation served by <see cref="LoopbackServer"/> on 127.0.0.1:
/// an inline video (base64 in the JSON) and a video behind a URL.
/// </summary>
/// <remarks>
/// Peak memory, two ways, both as an increase over the state just before the read (after a warm-up read of a
/// small output and full GCs):
/// <list type="bullet">
/// <item>peak resident set (the primary figure): Linux's VmHWM is reset to the current RSS by writing 5 to
/// /proc/self/clear_refs, then read from /proc/self/status after the download; minus VmRSS before. It counts
/// everything the process touched: managed heap, GC bookkeeping, native socket and file buffers.</item>
/// <item>peak managed heap: GC.GetTotalMemory(false) sampled every millisecond on a separate thread (large
/// arrays live on the LOH until a gen-2 GC, so they are seen), minus the heap before.</item>
/// </list>
/// </remarks>
public static class LargeOutputsScenario
{
    /// <summary>Target for an inline output: peak at most this many times the payload.</summary>
    public const double InlinePeakFactorTarget = 2.5;

    /// <summary>Target for a URL output: peak at most this (streamed).</summary>
    public const long UrlPeakTarget = 64L << 20;

    public sealed record Result(
        string Case,
        long PayloadBytes,
        double WallSeconds,
        long PeakRssIncrease,
        long PeakHeapIncrease,
        long AllocatedBytes,
        long Written,
        string? Failure);

    /// <summary>Runs one case in a child process and returns what it measured.</summary>
    public static async Task<Result> RunInChildAsync(bool inline, long bytes)
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            startInfo.ArgumentList.Add(typeof(LargeOutputsScenario).Assembly.Location);
        }

        foreach (var argument in new[] { "child", "large", inline ? "inline" : "url", bytes.ToString(CultureInfo.InvariantCulture) })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the child process.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        var line = (await stdout.ConfigureAwait(false)).Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        return line is not null
            ? JsonSerializer.Deserialize<Result>(line["RESULT ".Length..])!
            : new Result(Name(inline), bytes, 0, 0, 0, 0, 0, $"the child process exited {process.ExitCode} without a result: {await stderr.ConfigureAwait(false)}");
    }

    /// <summary>The child process: measures one case and prints <c>RESULT {json}</c>.</summary>
    public static async Task<int> ChildMainAsync(string kind, long bytes)
    {
        var inline = kind == "inline";
        var result = await MeasureAsync(inline, bytes).ConfigureAwait(false);
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return result.Failure is null ? 0 : 1;
    }

    private static string Name(bool inline) => inline ? "inline video (base64 in the operation JSON)" : "video behind a URL";

    private static async Task<Result> MeasureAsync(bool inline, long bytes)
    {
        using var server = new LoopbackServer();
        using var transport = CpuPerPollScenario.CreateTransport();
        using var client = new TaskClient(ProviderCase.Options(server.BaseUri), transport: transport);
        var file = Path.Combine(Path.GetTempPath(), $"asynctasks-bench-{Environment.ProcessId}.mp4");
        try
        {
            // Warm-up: the same path with a small output (JIT, connection pool, file system).
            var warm = await ReadAndDownloadAsync(client, inline, 64 * 1024, file).ConfigureAwait(false);
            if (warm.Failure is not null)
            {
                return new Result(Name(inline), bytes, 0, 0, 0, 0, 0, "warm-up: " + warm.Failure);
            }

            ManyWaitsScenario.FullCollect();
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var rssBefore = ResidentMemory.ResetPeak();
            using var sampler = new HeapSampler();
            var wall = Stopwatch.StartNew();

            var (written, failure) = await ReadAndDownloadAsync(client, inline, bytes, file).ConfigureAwait(false);

            wall.Stop();
            var peakHeap = sampler.Stop();
            var peakRss = ResidentMemory.Peak();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            return new Result(
                Name(inline), bytes, wall.Elapsed.TotalSeconds, peakRss - rssBefore, peakHeap - heapBefore, allocated, written, failure);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(long Written, string? Failure)> ReadAndDownloadAsync(TaskClient client, bool inline, long bytes, string file)
    {
        var snapshot = await client.GetAsync(new TaskRef(Provider.SkyEngine, LoopbackServer.OperationName(inline, bytes))).ConfigureAwait(false);
        if (snapshot.State != TaskState.Succeeded || snapshot.Outputs.Count != 1 || snapshot.Outputs[0].IsInline != inline)
        {
            return (0, $"the operation read as {snapshot.State} with {snapshot.Outputs.Count} outputs");
        }

        var destination = new PatternCheckingStream(File.Create(file, 81920, FileOptions.SequentialScan));
        await using (destination.ConfigureAwait(false))
        {
            var written = await client.DownloadAsync(snapshot.Outputs[0], destination).ConfigureAwait(false);
            GC.KeepAlive(snapshot);
            if (destination.FirstMismatch is { } at)
            {
                return (written, $"byte {at} of the download differs from what the server sent");
            }

            return written == bytes && destination.Length == bytes
                ? (written, null)
                : (written, $"{written} bytes downloaded ({destination.Length} written), expected {bytes}");
        }
    }
}

/// <summary>Linux's resident-set figures of this process, from /proc/self.</summary>
public static class ResidentMemory
{
    /// <summary>Resets the peak (VmHWM) to the current RSS and returns the current RSS, in bytes.</summary>
    public static long ResetPeak()
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Read("VmRSS:");
    }

    /// <summary>The peak RSS (VmHWM) since the last reset, in bytes.</summary>
    public static long Peak() => Read("VmHWM:");

    private static long Read(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/self/status has no {field}.");
    }
}

/// <summary>A write-only stream that passes bytes on to a file and checks each against the server's pattern.</summary>
public sealed class PatternCheckingStream(Stream inner) : Stream
{
    private static readonly byte[] Pattern = LoopbackServer.PatternChunk();
    private long _position;

    /// <summary>The offset of the first byte that differs from the pattern, if any.</summary>
    public long? FirstMismatch { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _position;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check(buffer);
        inner.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Check(ReadOnlySpan<byte> data)
    {
        var done = 0;
        while (done < data.Length)
        {
            var start = (int)((_position + done) % Pattern.Length);
            var count = Math.Min(data.Length - done, Pattern.Length - start);
            if (FirstMismatch is null && !data.Slice(done, count).SequenceEqual(Pattern.AsSpan(start, count)))
            {
                var index = data.Slice(done, count).CommonPrefixLength(Pattern.AsSpan(start, count));
                FirstMismatch = _position + done + index;
            }

            done += count;
        }

        _position += data.Length;
    }
}
