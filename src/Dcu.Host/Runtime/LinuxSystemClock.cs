using System.Runtime.InteropServices;
using Dcu.Core.Abstractions;

namespace Dcu.Host.Runtime;

/// <summary>
/// Sets the system clock with clock_settime(CLOCK_REALTIME). Needs CAP_SYS_TIME (root, or
/// <c>AmbientCapabilities=CAP_SYS_TIME</c> in the systemd unit); without it the kernel answers EPERM
/// and this throws <see cref="UnauthorizedAccessException"/>. An RTC, if any, follows at the next
/// sync by the system (hwclock / systemd-timesyncd); NTP, if running, may step it back.
/// </summary>
public sealed class LinuxSystemClock : ISystemClockSetter
{
    private const int ClockRealtime = 0;
    private const int EPERM = 1;
    private const int EINVAL = 22;

    public void SetUtc(DateTimeOffset utc)
    {
        var ticks = utc.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        Set(ticks / TimeSpan.TicksPerSecond, ticks % TimeSpan.TicksPerSecond * 100);
    }

    /// <summary>The raw call (tests pass an invalid nanosecond count, which the kernel refuses with EINVAL before any permission check or change).</summary>
    internal static void Set(long seconds, long nanoseconds)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
            throw new PlatformNotSupportedException("setting the system clock is implemented for 64-bit Linux only");
        var spec = new Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        if (ClockSetTime(ClockRealtime, ref spec) == 0) return;
        throw ToException(Marshal.GetLastPInvokeError());
    }

    internal static Exception ToException(int errno) => errno switch
        {
            EPERM => new UnauthorizedAccessException("clock_settime: operation not permitted (EPERM): the DCU process lacks CAP_SYS_TIME"),
            EINVAL => new InvalidOperationException("clock_settime: invalid time (EINVAL)"),
            _ => new InvalidOperationException($"clock_settime failed with errno {errno}"),
        };

    // struct timespec on 64-bit Linux (arm64, x86_64): two longs.
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_settime", SetLastError = true)]
    private static extern int ClockSetTime(int clockId, ref Timespec time);
}
