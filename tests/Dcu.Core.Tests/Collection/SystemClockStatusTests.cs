using Dcu.Core.Collection;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Collection;

public sealed class SystemClockStatusTests
{
    [Fact]
    public void A_clock_near_1970_after_a_cold_boot_is_invalid_until_it_is_set()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddSeconds(42));
        var status = new SystemClockStatus(time);
        Assert.False(status.IsValid);

        time.SetUtcNow(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero)); // NTP or RTC
        Assert.True(status.IsValid);
    }

    [Fact]
    public void The_floor_itself_is_valid_and_can_be_configured()
    {
        var time = new FakeTimeProvider(SystemClockStatus.DefaultFloor);
        Assert.True(new SystemClockStatus(time).IsValid);
        Assert.False(new SystemClockStatus(time, SystemClockStatus.DefaultFloor.AddTicks(1)).IsValid);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), SystemClockStatus.DefaultFloor);
    }
}
