using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

/// <summary><see cref="Dlt645MeterReader"/> as an <see cref="IMissedIntervalReader"/>: missed daily intervals read back from the meter's daily freezes.</summary>
public class Dlt645CatchUpTests
{
    private static readonly Dlt645Address MeterAddress = Dlt645Address.Parse(Dlt645Vectors.Meter);
    private static readonly DateTimeOffset Start = new(2024, 5, 17, 11, 30, 0, TimeSpan.Zero);
    private static readonly ObisCode ForwardTariff1 = new(1, 0, 1, 8, 1);
    private static readonly ObisCode ReverseTariff3 = new(1, 0, 2, 8, 3);

    private static Meter MeterEntry() => new(new MeterId("m1"), "rs485-1", MeterProtocol.Dlt645, Dlt645Vectors.Meter, "dlt645");

    private static long UnixMs(int year, int month, int day, int hour = 0) => new DateTimeOffset(year, month, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static Dlt645MeterReader Reader(Dlt645Client client, FakeTimeProvider time, TimeSpan? meterUtcOffset = null, int maxFreezes = 7) =>
        new(client) { TimeProvider = time, MeterUtcOffset = meterUtcOffset ?? TimeSpan.Zero, MaxFreezes = maxFreezes };

    private static async Task<(SimulatedDlt645Meter Meter, Dlt645Client Client, FakeTimeProvider Time)> CreateAsync(TimeSpan meterUtcOffset, int days)
    {
        var time = new FakeTimeProvider(Start);
        var bus = new SimulatedDlt645Bus(TimeProvider.System);
        var meter = new SimulatedDlt645Meter(MeterAddress, time, seed: 5, new SimulatedSiteOptions { NominalVoltage = 220, UtcOffset = meterUtcOffset, PvPeakWatts = 4000 });
        bus.Attach(meter);
        await bus.OpenAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(days));
        var client = new Dlt645Client(bus, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(200), Retries = 0 });
        return (meter, client, time);
    }

    [Fact]
    public async Task A_missed_daily_interval_is_read_back_with_the_freeze_value()
    {
        var (meter, client, time) = await CreateAsync(TimeSpan.Zero, days: 3); // now 2024-05-20 11:30 UTC
        IMissedIntervalReader reader = Reader(client, time);
        Assert.True(reader.CanReadPastIntervals(MeterEntry()));

        var values = await reader.ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport, ForwardTariff1, ObisCode.ActiveEnergyExport, ReverseTariff3], UnixMs(2024, 5, 18), CancellationToken.None);

        var freeze = meter.DailyFreezes.Single(f => f.FrozenAt == new DateTime(2024, 5, 18));
        var byObis = values.ToDictionary(v => v.Obis);
        Assert.Equal(4, values.Count);
        Assert.Equal((double)freeze.ForwardActiveKwh[0], byObis[ObisCode.ActiveEnergyImport].Value, 2);
        Assert.Equal((double)freeze.ForwardActiveKwh[1], byObis[ForwardTariff1].Value, 2);
        Assert.Equal((double)freeze.ReverseActiveKwh[0], byObis[ObisCode.ActiveEnergyExport].Value, 2);
        Assert.Equal((double)freeze.ReverseActiveKwh[3], byObis[ReverseTariff3].Value, 2);
        Assert.All(values, v => Assert.Equal("kWh", v.Unit));

        // it is the freeze of that midnight, not the present counter nor another day's freeze
        Assert.True(byObis[ObisCode.ActiveEnergyImport].Value < (double)meter.ForwardActiveKwh[0]);
        Assert.NotEqual((double)meter.DailyFreezes[0].ForwardActiveKwh[0], byObis[ObisCode.ActiveEnergyImport].Value);
    }

    [Fact]
    public async Task An_interval_older_than_the_freezes_walked_is_no_past_data()
    {
        var (meter, client, time) = await CreateAsync(TimeSpan.Zero, days: 10); // now 2024-05-27 11:30 UTC; freezes back to 05-17
        Assert.Contains(meter.DailyFreezes, f => f.FrozenAt == new DateTime(2024, 5, 19)); // the meter has it, but 8 freezes back
        var reader = Reader(client, time);
        Assert.Equal(7, reader.MaxFreezes);

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 19), CancellationToken.None));
        Assert.Equal("dlt645_no_past_data", ex.Reason);
        Assert.Contains("m1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2024-05-19 00:00:00Z", ex.Message, StringComparison.Ordinal);

        var deeper = Reader(client, time, maxFreezes: 10);
        Assert.Single(await deeper.ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 19), CancellationToken.None));
    }

    [Fact]
    public async Task An_interval_that_is_not_a_local_midnight_is_refused_without_asking_the_meter()
    {
        var (_, client, time) = await CreateAsync(TimeSpan.Zero, days: 3);
        var before = client.Counters.Snapshot().Requests;

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() =>
            Reader(client, time).ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 19, 6), CancellationToken.None));

        Assert.Equal("dlt645_no_past_data", ex.Reason);
        Assert.Contains("not a daily freeze instant", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, client.Counters.Snapshot().Requests);
    }

    [Fact]
    public async Task An_interval_before_the_oldest_freeze_the_meter_holds_is_no_past_data()
    {
        var (_, client, time) = await CreateAsync(TimeSpan.Zero, days: 2); // freezes 05-19, 05-18, 05-17 only
        var reader = Reader(client, time);
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 10), CancellationToken.None));
        Assert.Equal("dlt645_no_past_data", ex.Reason);
    }

    [Fact]
    public async Task Quantities_that_are_not_frozen_are_not_returned()
    {
        var (_, client, time) = await CreateAsync(TimeSpan.Zero, days: 3);
        var reader = Reader(client, time);

        var values = await reader.ReadIntervalAsync(MeterEntry(), [ObisCode.VoltageL1, ObisCode.ActiveEnergyImport, ObisCode.ActivePowerTotal, new ObisCode(1, 0, 15, 8, 0)], UnixMs(2024, 5, 19), CancellationToken.None);
        Assert.Equal(ObisCode.ActiveEnergyImport, Assert.Single(values).Obis);

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadIntervalAsync(MeterEntry(), [ObisCode.VoltageL1, ObisCode.ActivePowerTotal], UnixMs(2024, 5, 19), CancellationToken.None));
        Assert.Equal("dlt645_no_past_data", ex.Reason);
    }

    [Fact]
    public async Task A_meter_on_another_offset_has_no_freeze_at_utc_midnight()
    {
        var (meter, client, time) = await CreateAsync(TimeSpan.FromHours(8), days: 3); // freezes at 00:00 UTC+8 = 16:00 UTC
        Assert.Contains(meter.DailyFreezes, f => f.FrozenAt == new DateTime(2024, 5, 18));
        var reader = Reader(client, time); // MeterUtcOffset 0: wrong for this meter

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 18), CancellationToken.None));
        Assert.Equal("dlt645_no_past_data", ex.Reason);
        Assert.Contains("no freeze can be placed at 2024-05-18 00:00:00Z", ex.Message, StringComparison.Ordinal); // its "00:00" freeze was taken at 16:00 UTC
        Assert.Contains("UTC+08:00", ex.Message, StringComparison.Ordinal);
        Assert.Contains("m1", ex.Message, StringComparison.Ordinal);

        // with the right offset the same freeze is the value at 16:00 UTC the day before, and only there
        var right = Reader(client, time, TimeSpan.FromHours(8));
        var none = await Assert.ThrowsAsync<MeterProtocolException>(() => right.ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 18), CancellationToken.None));
        Assert.Equal("dlt645_no_past_data", none.Reason);
        // 00:00 UTC is 08:00 at the meter: not a freeze instant, known without asking the meter
        Assert.Contains("2024-05-18 00:00:00Z is not a daily freeze instant (local midnight at UTC+08:00)", none.Message, StringComparison.Ordinal);
        var values = await right.ReadIntervalAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 17, 16), CancellationToken.None);
        Assert.Equal((double)meter.DailyFreezes.Single(f => f.FrozenAt == new DateTime(2024, 5, 18)).ForwardActiveKwh[0], Assert.Single(values).Value, 2);
    }

    [Fact]
    public void Options_are_validated()
    {
        var client = new Dlt645Client(new SimulatedDlt645Bus(TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dlt645MeterReader(client) { MaxFreezes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dlt645MeterReader(client) { MaxFreezes = 63 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dlt645MeterReader(client) { MeterUtcOffset = TimeSpan.FromHours(15) });
        Assert.Equal(TimeSpan.Zero, new Dlt645MeterReader(client).MeterUtcOffset);
    }
}
