using Dcu.Host.Runtime;

namespace Dcu.Host.Tests.Runtime;

public sealed class LinuxSystemClockTests
{
    /// <summary>
    /// Through the real syscall without changing the clock: 2e9 ns is refused with EINVAL before any
    /// permission check (or with EPERM where seccomp blocks the call), and both surface as typed exceptions.
    /// </summary>
    [Fact]
    public void An_invalid_time_reaches_the_kernel_and_is_refused_without_changing_the_clock()
    {
        var before = DateTimeOffset.UtcNow;
        var ex = Assert.ThrowsAny<Exception>(() => LinuxSystemClock.Set(before.ToUnixTimeSeconds(), 2_000_000_000));
        Assert.True(ex is InvalidOperationException or UnauthorizedAccessException, ex.ToString());
        Assert.InRange(DateTimeOffset.UtcNow - before, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void EPERM_says_which_capability_is_missing()
    {
        var ex = Assert.IsType<UnauthorizedAccessException>(LinuxSystemClock.ToException(1));
        Assert.Contains("CAP_SYS_TIME", ex.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(LinuxSystemClock.ToException(22));
    }
}
