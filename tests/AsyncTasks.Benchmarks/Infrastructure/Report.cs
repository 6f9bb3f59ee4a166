using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>The results of a run as Markdown: the machine, then one section per benchmark with its table.</summary>
public sealed class Report
{
    private readonly StringBuilder _text = new();

    public Report(string command, bool shortMode)
    {
        _text.AppendLine(CultureInfo.InvariantCulture, $"# AsyncTasks benchmarks — {(shortMode ? "short (CI) mode, sizes and durations reduced" : "full mode")}");
        _text.AppendLine();
        _text.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        _text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{command}`");
        _text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Machine.Describe()}");
        _text.AppendLine(CultureInfo.InvariantCulture, $"- Load average when the run started (1/5/15 min): {Machine.LoadAverage()}");
        _text.AppendLine();
    }

    public void Section(string title, string? intro = null)
    {
        _text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        _text.AppendLine();
        if (intro is not null)
        {
            _text.AppendLine(intro);
            _text.AppendLine();
        }
    }

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _text.AppendLine("| " + string.Join(" | ", header) + " |");
        _text.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            _text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        _text.AppendLine();
    }

    public void Line(string text)
    {
        _text.AppendLine(text);
        _text.AppendLine();
    }

    public override string ToString() =>
        _text.ToString() + string.Create(CultureInfo.InvariantCulture, $"Load average when the run ended: {Machine.LoadAverage()}{Environment.NewLine}");

    public static string Met(bool met) => met ? "met" : "**MISSED**";

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => (bytes / (1 << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1 << 20 => (bytes / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1 << 10 => (bytes / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    public static string Micros(double microseconds) =>
        microseconds.ToString(microseconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " µs";

    public static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>What the numbers were measured on.</summary>
public static class Machine
{
    public static string Describe()
    {
        var memory = TotalMemoryBytes();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} logical cores ({CpuModel()}), {Report.Bytes(memory)} memory, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, {ThreadPoolSpinning()}");
    }

    /// <summary>
    /// Whether idle thread-pool threads spin before sleeping (the runtime's default) or not
    /// (<c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0</c>): spinning is CPU a loopback benchmark counts per poll.
    /// </summary>
    private static string ThreadPoolSpinning() =>
        Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") is { Length: > 0 } limit
            ? $"thread-pool spin limit {limit}"
            : "thread-pool spinning as the runtime's default";

    /// <summary>/proc/loadavg's three averages: other work on the machine skews every figure.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static long TotalMemoryBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
