using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Modbus;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

public class SimulatedDlt645MeterTests
{
    private static readonly Dlt645Address MeterAddress = Dlt645Address.Parse(Dlt645Vectors.Meter);

    [Fact]
    public void Respond_answers_one_frame_without_any_link()
    {
        var meter = new SimulatedDlt645Meter(MeterAddress, new FakeTimeProvider(), seed: 1);
        var reply = meter.Respond(Hex.Bytes(Dlt645Vectors.ReadAddress));
        Assert.Equal(Dlt645Vectors.ReplyAddress.Replace(" ", "", StringComparison.Ordinal), Hex.Of(reply));
        Assert.Equal(Dlt645Vectors.ReplyNoData.Replace(" ", "", StringComparison.Ordinal), Hex.Of(meter.Respond(Dlt645Frame.ReadData(MeterAddress, (Dlt645DataId)0x0280000A))));
        Assert.Null(meter.Respond(Dlt645Frame.ReadData(Dlt645Address.Parse("000000000001"), Dlt645DataId.VoltageA)));
        Assert.Null(meter.Respond(Hex.Bytes(Dlt645Vectors.BroadcastTime)));
        var corrupt = Hex.Bytes(Dlt645Vectors.ReadVoltageA);
        corrupt[^2] ^= 1;
        Assert.Null(meter.Respond(corrupt));
    }

    [Fact]
    public void Is_deterministic_for_a_seed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var a = new SimulatedDlt645Meter(MeterAddress, time, seed: 9);
        var b = new SimulatedDlt645Meter(MeterAddress, time, seed: 9);
        var request = Dlt645Frame.ReadData(MeterAddress, Dlt645DataId.VoltageA);
        Assert.Equal(a.Respond(request), b.Respond(request));
    }

    [Fact]
    public void A_tripped_relay_stops_the_counters()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.Zero));
        var meter = new SimulatedDlt645Meter(MeterAddress, time, seed: 9);
        var trip = Dlt645Frame.RelayControl(MeterAddress, Dlt645RelayCommand.Trip, meter.Password, 0, meter.Clock.AddMinutes(5));
        Assert.Equal(0x9C, meter.Respond(trip)![8]);
        var before = meter.ForwardActiveKwh[0];
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(before, meter.ForwardActiveKwh[0]);
        var expired = Dlt645Frame.RelayControl(MeterAddress, Dlt645RelayCommand.ClosePermitted, meter.Password, 0, meter.Clock.AddMinutes(-1));
        Assert.Equal(0xDC, meter.Respond(expired)![8]);
    }
}
