using Dcu.Core.Collection;

namespace Dcu.Core.Tests.Collection;

public sealed class IntervalClockTests
{
    private static long Ms(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Theory]
    [InlineData("2026-03-01T10:07:00Z", "00:15:00", "00:00:00", "2026-03-01T10:15:00Z")]
    [InlineData("2026-03-01T10:15:00Z", "00:15:00", "00:00:00", "2026-03-01T10:30:00Z")] // exact boundary: strictly after
    [InlineData("2026-03-01T10:14:59.999Z", "00:15:00", "00:00:00", "2026-03-01T10:15:00Z")]
    [InlineData("2026-03-01T10:15:00.001Z", "00:15:00", "00:00:00", "2026-03-01T10:30:00Z")]
    [InlineData("2026-03-01T10:52:00Z", "00:15:00", "00:00:00", "2026-03-01T11:00:00Z")]
    [InlineData("2026-03-01T23:59:00Z", "00:15:00", "00:00:00", "2026-03-02T00:00:00Z")]
    [InlineData("2026-03-01T10:07:30Z", "00:01:00", "00:00:00", "2026-03-01T10:08:00Z")]
    [InlineData("2026-03-01T10:07:30Z", "00:05:00", "00:00:00", "2026-03-01T10:10:00Z")]
    [InlineData("2026-03-01T10:07:00Z", "01:00:00", "00:00:00", "2026-03-01T11:00:00Z")]
    [InlineData("2026-03-01T10:07:00Z", "1.00:00:00", "00:00:00", "2026-03-02T00:00:00Z")]
    [InlineData("2026-03-01T00:00:00Z", "1.00:00:00", "00:00:00", "2026-03-02T00:00:00Z")]
    [InlineData("2026-03-29T00:59:00Z", "01:00:00", "00:00:00", "2026-03-29T01:00:00Z")] // EU DST night: UTC, nothing special
    [InlineData("2026-03-01T10:07:00Z", "00:15:00", "00:02:00", "2026-03-01T10:17:00Z")]
    [InlineData("2026-03-01T10:16:00Z", "00:15:00", "00:02:00", "2026-03-01T10:17:00Z")]
    [InlineData("2026-03-01T10:17:00Z", "00:15:00", "00:02:00", "2026-03-01T10:32:00Z")]
    [InlineData("2026-03-01T10:07:00Z", "00:00:01", "00:00:00", "2026-03-01T10:07:01Z")]
    public void Next_due_is_the_first_aligned_time_strictly_after(string now, string interval, string offset, string expected)
    {
        var i = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture);
        var o = TimeSpan.Parse(offset, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Ms(expected), IntervalClock.NextDue(Ms(now), i, o));
    }

    [Theory]
    [InlineData("2026-03-01T10:07:00Z", "00:15:00", "2026-03-01T10:00:00Z")]
    [InlineData("2026-03-01T10:15:00Z", "00:15:00", "2026-03-01T10:15:00Z")] // a boundary is its own start
    [InlineData("2026-03-01T10:29:59.999Z", "00:15:00", "2026-03-01T10:15:00Z")]
    [InlineData("2026-03-01T10:07:59Z", "00:01:00", "2026-03-01T10:07:00Z")]
    [InlineData("2026-03-01T10:59:00Z", "01:00:00", "2026-03-01T10:00:00Z")]
    [InlineData("2026-03-01T23:59:59Z", "1.00:00:00", "2026-03-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59.999Z", "00:15:00", "1969-12-31T23:45:00Z")] // floor, not truncation, before the epoch
    public void Interval_start_is_the_boundary_at_or_before(string time, string interval, string expected)
    {
        var i = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Ms(expected), IntervalClock.IntervalStart(Ms(time), i));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(Ms(expected)), IntervalClock.IntervalStart(DateTimeOffset.FromUnixTimeMilliseconds(Ms(time)), i));
    }

    [Fact]
    public void Next_boundary_of_a_date_time_offset_is_in_utc()
    {
        var local = new DateTimeOffset(2026, 3, 1, 11, 7, 0, TimeSpan.FromHours(1)); // 10:07Z
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 15, 0, TimeSpan.Zero), IntervalClock.NextBoundary(local, TimeSpan.FromMinutes(15)));
    }

    [Theory]
    [InlineData("00:00:01", true)]
    [InlineData("00:01:00", true)]
    [InlineData("00:01:30", true)]
    [InlineData("00:05:00", true)]
    [InlineData("00:15:00", true)]
    [InlineData("01:00:00", true)]
    [InlineData("08:00:00", true)]
    [InlineData("1.00:00:00", true)]
    [InlineData("00:07:00", false)]
    [InlineData("05:00:00", false)]
    [InlineData("2.00:00:00", false)]
    [InlineData("00:00:00", false)]
    [InlineData("-00:15:00", false)]
    [InlineData("00:00:00.0000001", false)]
    public void Valid_intervals_divide_a_day(string interval, bool valid) =>
        Assert.Equal(valid, IntervalClock.IsValidInterval(TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Invalid_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IntervalClock.NextDue(0, TimeSpan.FromMinutes(7)));
        Assert.Throws<ArgumentOutOfRangeException>(() => IntervalClock.NextDue(0, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)));
        Assert.Throws<ArgumentOutOfRangeException>(() => IntervalClock.NextDue(0, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(-1)));
    }
}
