using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

public sealed class Dlt645MeterStatusTests
{
    [Fact]
    public void Status_words_map_to_the_neutral_flags()
    {
        Assert.Equal(MeterStatusFlags.None, Dlt645MeterStatus.ToFlags(Dlt645RunningStatus1.ReverseActivePower | Dlt645RunningStatus1.BlockDemand, Dlt645RunningStatus3.ProgrammingEnabled));
        Assert.Equal(MeterStatusFlags.ClockBatteryLow, Dlt645MeterStatus.ToFlags(Dlt645RunningStatus1.ClockBatteryLow, Dlt645RunningStatus3.None));
        Assert.Equal(MeterStatusFlags.RelayOpen, Dlt645MeterStatus.ToFlags(Dlt645RunningStatus1.None, Dlt645RunningStatus3.RelayOpen | Dlt645RunningStatus3.RelayCommandOpen));
        // The relay command alone (ordered, not yet open) is not an open relay.
        Assert.Equal(MeterStatusFlags.None, Dlt645MeterStatus.ToFlags(Dlt645RunningStatus1.None, Dlt645RunningStatus3.RelayCommandOpen));
    }

    [Fact]
    public async Task The_reader_delivers_the_status_quantity_from_a_simulated_meter()
    {
        var address = Dlt645Address.Parse("123456789012");
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 17, 11, 30, 0, TimeSpan.Zero));
        var bus = new SimulatedDlt645Bus(TimeProvider.System);
        var meter = new SimulatedDlt645Meter(address, time, seed: 3, phases: 3);
        bus.Attach(meter);
        await bus.OpenAsync(CancellationToken.None);
        var reader = new Dlt645MeterReader(new Dlt645Client(bus, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(200), Retries = 0 }));
        var entry = new Meter(new MeterId("m1"), "rs485-1", MeterProtocol.Dlt645, "123456789012", "dlt645");
        Assert.Contains(MeterStatus.Obis, reader.SupportedQuantities(entry));

        var ok = Assert.Single(await reader.ReadAsync(entry, [MeterStatus.Obis], CancellationToken.None));
        Assert.Equal((MeterStatus.Obis, 0.0, ""), (ok.Obis, ok.Value, ok.Unit));
        meter.ClockBatteryLow = true;
        var low = Assert.Single(await reader.ReadAsync(entry, [MeterStatus.Obis], CancellationToken.None));
        Assert.Equal(MeterStatusFlags.ClockBatteryLow, MeterStatus.FromValue(low.Value));
    }
}
