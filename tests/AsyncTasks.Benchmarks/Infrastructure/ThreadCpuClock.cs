using System.Globalization;
using System.Runtime.InteropServices;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>
/// The calling thread's CPU time (clock_gettime with CLOCK_THREAD_CPUTIME_ID, nanosecond resolution): what a
/// synchronous piece of work cost, without the time other processes of a shared machine take.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>Whether the clock can be read here (Linux).</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>The calling thread's CPU time so far, in nanoseconds.</summary>
    public static long Nanoseconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: " + Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture));
        }

        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
