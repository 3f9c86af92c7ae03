using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Simulation;

namespace Dcu.Drivers.Tests.Plc;

/// <summary>
/// <see cref="Dlt645PlcProtocol"/> through the whole stack: <see cref="PlcMeterReader"/> →
/// <see cref="PlcModule"/> (Q/GDW 1376.2 AFN 13 F1 bytes) → <see cref="SimulatedPlcModule"/> →
/// <see cref="SimulatedDlt645Meter.Respond"/> (DL/T 645-2007 bytes) and back.
/// </summary>
public sealed class Dlt645PlcProtocolStackTests : IAsyncDisposable
{
    private PlcSite? _site;

    public async ValueTask DisposeAsync()
    {
        if (_site is not null) await _site.DisposeAsync();
    }

    private async Task<PlcSite> StartAsync(int meters, int phases = 3)
    {
        _site = await PlcSite.StartAsync(meters, new SimulatedPlcModuleOptions(), PlcSite.ModuleOptions(scale: 0.02, maxConcurrent: 1), phases: phases);
        return _site;
    }

    [Fact]
    public async Task Energy_voltage_and_current_come_back_plausible_with_their_units()
    {
        var site = await StartAsync(3);
        var reader = new PlcMeterReader(site.Module, new Dlt645PlcProtocol());

        for (var i = 0; i < 3; i++)
        {
            var values = await reader.ReadAsync(PlcSite.ArchiveEntry(i),
                [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1, ObisCode.VoltageL2, ObisCode.CurrentL1], CancellationToken.None);

            Assert.Equal(4, values.Count);
            var energy = values.Single(v => v.Obis == ObisCode.ActiveEnergyImport);
            Assert.Equal("kWh", energy.Unit);
            Assert.Equal((double)site.Meters[PlcSite.Address(i)].ForwardActiveKwh[0], energy.Value, 2); // the meter's own counter, to the 0.01 kWh
            foreach (var v in values.Where(v => v.Obis == ObisCode.VoltageL1 || v.Obis == ObisCode.VoltageL2))
            {
                Assert.Equal("V", v.Unit);
                Assert.InRange(v.Value, 200, 240); // 220 V nominal +- wobble and noise
            }
            var current = values.Single(v => v.Obis == ObisCode.CurrentL1);
            Assert.Equal("A", current.Unit);
            Assert.InRange(Math.Abs(current.Value), 0, 100);
        }
        Assert.Equal(12, reader.Counters.Values);
        Assert.Empty(reader.Counters.Failures);
    }

    [Fact]
    public async Task A_quantity_the_meter_does_not_have_is_skipped()
    {
        var site = await StartAsync(1, phases: 1); // single-phase: no phase B voltage (D1H error word 02H "no requested data")
        var reader = new PlcMeterReader(site.Module, new Dlt645PlcProtocol());

        var values = await reader.ReadAsync(PlcSite.ArchiveEntry(0), [ObisCode.VoltageL2, ObisCode.ActiveEnergyImport, ObisCode.VoltageL1], CancellationToken.None);

        Assert.Equal([ObisCode.ActiveEnergyImport, ObisCode.VoltageL1], values.Select(v => v.Obis));
        Assert.Equal(1, reader.Counters.FailuresOf(PlcMeterReader.NoDataReason));
        Assert.Equal(3, reader.Counters.Requests);
    }

    [Fact]
    public async Task Any_other_error_word_fails_the_read_as_error_reply()
    {
        var site = await StartAsync(1);
        var address = Dlt645Address.Parse(PlcSite.Address(0));
        site.Sim.AddMeter(PlcSite.Address(0), _ => Dlt645Frame.Build(address, Dlt645Control.ErrorReply(Dlt645Function.ReadData), [(byte)Dlt645ErrorWord.Other]));
        var reader = new PlcMeterReader(site.Module, new Dlt645PlcProtocol());

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadAsync(PlcSite.ArchiveEntry(0), [ObisCode.ActiveEnergyImport], CancellationToken.None));

        Assert.Equal("error_reply", ex.Reason);
        Assert.Equal(1, reader.Counters.FailuresOf("error_reply"));
    }

    [Fact]
    public async Task A_reply_from_another_meter_address_is_counted_as_wrong_address()
    {
        var site = await StartAsync(2);
        site.Meters[PlcSite.Address(0)].ReplyAs = Dlt645Address.Parse(PlcSite.Address(1)); // DL/T 645 header says meter 1
        var reader = new PlcMeterReader(site.Module, new Dlt645PlcProtocol());

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadAsync(PlcSite.ArchiveEntry(0), [ObisCode.ActiveEnergyImport], CancellationToken.None));

        Assert.Equal("wrong_address", ex.Reason);
        Assert.Equal(1, reader.Counters.FailuresOf("wrong_address"));
        Assert.Equal(0, reader.Counters.Values);
        // The other meter still reads fine through the same module.
        Assert.Single(await reader.ReadAsync(PlcSite.ArchiveEntry(1), [ObisCode.ActiveEnergyImport], CancellationToken.None));
    }

    [Fact]
    public async Task A_corrupt_dlt645_checksum_is_counted_as_checksum()
    {
        var site = await StartAsync(1);
        site.Meters[PlcSite.Address(0)].CorruptChecksum = true;
        var reader = new PlcMeterReader(site.Module, new Dlt645PlcProtocol());

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadAsync(PlcSite.ArchiveEntry(0), [ObisCode.ActiveEnergyImport], CancellationToken.None));

        Assert.Equal("checksum", ex.Reason);
    }
}
