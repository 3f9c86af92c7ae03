using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Modbus;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

public class Dlt645MeterReaderTests
{
    private static readonly Dlt645Address MeterAddress = Dlt645Address.Parse(Dlt645Vectors.Meter);

    private static Meter MeterEntry(string address = Dlt645Vectors.Meter) =>
        new(new MeterId("m1"), "rs485-1", MeterProtocol.Dlt645, address, "dlt645");

    private static async Task<(SimulatedDlt645Meter Meter, Dlt645MeterReader Reader, FakeTimeProvider Time)> CreateAsync(int phases = 3)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 17, 11, 30, 0, TimeSpan.Zero)); // 19:30 local: evening peak, tariff 1
        var bus = new SimulatedDlt645Bus(TimeProvider.System) { ReplyChunkSize = 5 };
        var meter = new SimulatedDlt645Meter(MeterAddress, time, seed: 3, phases: phases);
        bus.Attach(meter);
        await bus.OpenAsync(CancellationToken.None);
        var client = new Dlt645Client(bus, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(200), Retries = 0 });
        return (meter, new Dlt645MeterReader(client), time);
    }

    [Fact]
    public async Task Reads_OBIS_values_with_units_and_decimals()
    {
        var (meter, reader, _) = await CreateAsync();
        var wanted = new[]
        {
            ObisCode.ActiveEnergyImport, new ObisCode(1, 0, 1, 8, 1), ObisCode.VoltageL1, ObisCode.CurrentL2,
            ObisCode.ActivePowerTotal, new ObisCode(1, 0, 131, 7, 0), ObisCode.PowerFactor, new ObisCode(1, 0, 99, 99, 0),
        };
        var values = await reader.ReadAsync(MeterEntry(), wanted, CancellationToken.None);

        Assert.Equal(7, values.Count); // the unmapped OBIS is skipped
        var byObis = values.ToDictionary(v => v.Obis);
        Assert.Equal((double)meter.ForwardActiveKwh[0], byObis[ObisCode.ActiveEnergyImport].Value, 2);
        Assert.Equal("kWh", byObis[ObisCode.ActiveEnergyImport].Unit);
        Assert.Equal((double)meter.ForwardActiveKwh[1], byObis[new ObisCode(1, 0, 1, 8, 1)].Value, 2);
        Assert.InRange(byObis[ObisCode.VoltageL1].Value, 210, 230);
        Assert.Equal("V", byObis[ObisCode.VoltageL1].Unit);
        Assert.Equal(Math.Round(byObis[ObisCode.VoltageL1].Value, 1), byObis[ObisCode.VoltageL1].Value);
        Assert.Equal("A", byObis[ObisCode.CurrentL2].Unit);
        Assert.InRange(byObis[ObisCode.ActivePowerTotal].Value, 1000, 6000); // W, converted from kW
        Assert.Equal("W", byObis[ObisCode.ActivePowerTotal].Unit);
        Assert.Equal("var", byObis[new ObisCode(1, 0, 131, 7, 0)].Unit);
        Assert.InRange(byObis[ObisCode.PowerFactor].Value, 0.5, 1.0);
    }

    [Fact]
    public async Task Quantities_the_meter_lacks_are_skipped()
    {
        var (_, reader, _) = await CreateAsync(phases: 1);
        var values = await reader.ReadAsync(MeterEntry(), [ObisCode.VoltageL1, ObisCode.VoltageL2, ObisCode.VoltageL3], CancellationToken.None);
        Assert.Equal(ObisCode.VoltageL1, Assert.Single(values).Obis);
    }

    [Fact]
    public async Task Energy_only_rises_and_the_daily_freeze_happens_at_local_midnight()
    {
        var (meter, reader, time) = await CreateAsync();
        var first = (await reader.ReadAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], CancellationToken.None))[0].Value;
        time.Advance(TimeSpan.FromHours(6)); // past 00:00 local
        var second = (await reader.ReadAsync(MeterEntry(), [ObisCode.ActiveEnergyImport], CancellationToken.None))[0].Value;
        Assert.True(second > first);
        var client = new Dlt645Client(await BusFor(meter));
        var frozen = await client.ReadDailyFrozenAsync(MeterAddress, 1, CancellationToken.None);
        Assert.Equal(new DateTime(2024, 5, 18), frozen.FrozenAt);
        Assert.InRange((double)frozen.ForwardActiveKwh[0], first, second);
        Assert.Equal(frozen.ForwardActiveKwh[0], frozen.ForwardActiveKwh.Skip(1).Sum());
    }

    [Fact]
    public async Task A_malformed_address_is_a_configuration_error()
    {
        var (_, reader, _) = await CreateAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => reader.ReadAsync(MeterEntry("12345"), [ObisCode.VoltageL1], CancellationToken.None));
    }

    [Fact]
    public void The_pure_exchange_builds_and_decodes_the_verified_frames()
    {
        Assert.True(Dlt645ReadExchange.TryGetItem(ObisCode.ActiveEnergyImport, out var energy));
        Assert.Equal(Dlt645Vectors.ReadForwardActive.Replace(" ", "", StringComparison.Ordinal), Hex.Of(Dlt645ReadExchange.BuildRequest(MeterAddress, energy, 4)));
        var value = Dlt645ReadExchange.DecodeReply(Hex.Bytes(Dlt645Vectors.ReplyForwardActive), MeterAddress, energy);
        Assert.Equal(new Dcu.Core.Abstractions.MeterValue(ObisCode.ActiveEnergyImport, 1234.56, "kWh"), value);

        Assert.True(Dlt645ReadExchange.TryGetItem(ObisCode.ActivePowerTotal, out var power));
        Assert.Equal(1234.5, Dlt645ReadExchange.DecodeReply(Hex.Bytes(Dlt645Vectors.ReplyActivePower), MeterAddress, power).Value, 6);
        Assert.True(Dlt645ReadExchange.TryGetItem(ObisCode.CurrentL1, out var current));
        Assert.Equal(5.123, Dlt645ReadExchange.DecodeReply(Hex.Bytes(Dlt645Vectors.ReplyCurrentA), MeterAddress, current).Value, 6);
        var ex = Assert.Throws<Dlt645MeterException>(() => Dlt645ReadExchange.DecodeReply(Hex.Bytes(Dlt645Vectors.ReplyNoData), MeterAddress, current));
        Assert.Equal("dlt645_no_data", ex.Reason);
        var bad = Assert.Throws<Dcu.Core.Abstractions.MeterProtocolException>(() =>
            Dlt645ReadExchange.DecodeReply(Dlt645Frame.Build(MeterAddress, 0x91, Hex.Bytes("00010202 FFFFFF")), MeterAddress, current));
        Assert.Equal("dlt645_bad_value", bad.Reason);
    }

    [Fact]
    public void Every_numeric_table_entry_has_an_OBIS_and_the_DI_table_is_consistent()
    {
        Assert.Contains(new ObisCode(1, 0, 15, 8, 0), Dlt645DataIdentifiers.Quantities);
        Assert.Contains(new ObisCode(1, 0, 2, 8, 4), Dlt645DataIdentifiers.Quantities);
        Assert.Equal(Dlt645DataId.ForwardActiveEnergyTariff3, Dlt645DataIdentifiers.ForwardActiveEnergyTariff(3));
        Assert.Equal((Dlt645DataId.DailyFrozenTime1, Dlt645DataId.DailyFrozenForwardActive1, Dlt645DataId.DailyFrozenReverseActive1), Dlt645DataIdentifiers.DailyFrozen(1));
        foreach (var item in Dlt645DataIdentifiers.All.Where(i => i.Kind == Dlt645ValueKind.Number)) Assert.NotNull(item.Obis);
    }

    private static async Task<SimulatedDlt645Bus> BusFor(SimulatedDlt645Meter meter)
    {
        var bus = new SimulatedDlt645Bus(TimeProvider.System);
        bus.Attach(meter);
        await bus.OpenAsync(CancellationToken.None);
        return bus;
    }
}
