using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Plc;

/// <summary>
/// <see cref="PlcMeterReader"/> as an <see cref="IMissedIntervalReader"/>: DL/T 645 daily freezes
/// read back through the PLC relay (the same walk as on RS485, <see cref="Dlt645FrozenCatchUp"/>).
/// The module runs on real (scaled) time; the meter's clock is a <see cref="FakeTimeProvider"/>
/// moved three days on so that it holds freezes.
/// </summary>
public sealed class PlcCatchUpTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 17, 11, 30, 0, TimeSpan.Zero);
    private PlcSite? _site;

    public async ValueTask DisposeAsync()
    {
        if (_site is not null) await _site.DisposeAsync();
    }

    private static long UnixMs(int year, int month, int day, int hour = 0) => new DateTimeOffset(year, month, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>One meter on Beijing time (UTC+8, the simulator's default) behind the module, now 2024-05-20 11:30 UTC at the meter.</summary>
    private async Task<(SimulatedDlt645Meter Meter, PlcMeterReader Reader)> CreateAsync()
    {
        _site = await PlcSite.StartAsync(1, new SimulatedPlcModuleOptions(), PlcSite.ModuleOptions(scale: 0.02, maxConcurrent: 1));
        var time = new FakeTimeProvider(Start);
        var meter = _site.AddMeter(PlcSite.Address(0), time, seed: 5); // replaces the real-time meter
        time.Advance(TimeSpan.FromDays(3));
        var protocol = new Dlt645PlcProtocol { CatchUp = new Dlt645FrozenCatchUp { MeterUtcOffset = TimeSpan.FromHours(8), TimeProvider = time } };
        return (meter, new PlcMeterReader(_site.Module, protocol));
    }

    [Fact]
    public async Task A_missed_midnight_is_read_back_from_the_freeze_through_the_relay()
    {
        var (meter, reader) = await CreateAsync();
        IMissedIntervalReader catchUp = reader;
        Assert.True(catchUp.CanReadPastIntervals(PlcSite.ArchiveEntry(0)));
        Assert.False(new PlcMeterReader(_site!.Module, new Dlt645PlcProtocol()).CanReadPastIntervals(PlcSite.ArchiveEntry(0))); // off without CatchUp options

        // 2024-05-19 00:00 at the meter (UTC+8) = 2024-05-18 16:00 UTC
        var values = await catchUp.ReadIntervalAsync(PlcSite.ArchiveEntry(0), [ObisCode.ActiveEnergyImport, ObisCode.ActiveEnergyExport, ObisCode.VoltageL1], UnixMs(2024, 5, 18, 16), CancellationToken.None);

        var freeze = meter.DailyFreezes.Single(f => f.FrozenAt == new DateTime(2024, 5, 19));
        var byObis = values.ToDictionary(v => v.Obis);
        Assert.Equal(2, values.Count); // voltage is not frozen
        Assert.Equal((double)freeze.ForwardActiveKwh[0], byObis[ObisCode.ActiveEnergyImport].Value, 2);
        Assert.Equal((double)freeze.ReverseActiveKwh[0], byObis[ObisCode.ActiveEnergyExport].Value, 2);
        Assert.All(values, v => Assert.Equal("kWh", v.Unit));
        Assert.True(byObis[ObisCode.ActiveEnergyImport].Value < (double)meter.ForwardActiveKwh[0]); // not the present counter
        Assert.NotEqual((double)meter.DailyFreezes[0].ForwardActiveKwh[0], byObis[ObisCode.ActiveEnergyImport].Value); // nor the last freeze

        // freeze times 1 and 2, the clock (date, time), then freeze 2's time, forward and reverse blocks
        Assert.Equal(7, reader.Counters.Requests);
        Assert.Equal(2, reader.Counters.Values);
        Assert.Empty(reader.Counters.Failures);
    }

    [Fact]
    public async Task An_interval_that_is_not_a_local_midnight_is_refused_without_a_relay()
    {
        var (meter, reader) = await CreateAsync();
        var served = meter.RequestsServed;

        // 2024-05-19 00:00 UTC is 08:00 at the meter
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() =>
            reader.ReadIntervalAsync(PlcSite.ArchiveEntry(0), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 19), CancellationToken.None));

        Assert.Equal(Dlt645FrozenCatchUp.NoPastDataReason, ex.Reason);
        Assert.Contains("not a daily freeze instant", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, reader.Counters.Requests);
        Assert.Equal(served, meter.RequestsServed);
        Assert.Equal(1, reader.Counters.FailuresOf(Dlt645FrozenCatchUp.NoPastDataReason));
    }

    [Fact]
    public async Task A_midnight_older_than_the_meter_holds_is_no_past_data()
    {
        var (_, reader) = await CreateAsync(); // freezes 05-20, 05-19, 05-18, 05-17 (meter time) only

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() =>
            reader.ReadIntervalAsync(PlcSite.ArchiveEntry(0), [ObisCode.ActiveEnergyImport], UnixMs(2024, 5, 10, 16), CancellationToken.None));

        Assert.Equal(Dlt645FrozenCatchUp.NoPastDataReason, ex.Reason);
        Assert.Equal(5, reader.Counters.Requests); // freeze times 1..4, then "no requested data" for freeze 5
    }
}
