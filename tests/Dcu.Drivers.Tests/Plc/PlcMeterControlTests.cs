using Dcu.Core.Abstractions;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Simulation;

namespace Dcu.Drivers.Tests.Plc;

/// <summary>
/// Relay and clock control of DL/T 645 meters behind the PLC module: <see cref="PlcMeterReader"/> →
/// <see cref="PlcModule"/> (AFN 13 F1 relays, AFN 05 F3 broadcast) → <see cref="SimulatedPlcModule"/> →
/// <see cref="SimulatedDlt645Meter"/>, real bytes all the way.
/// </summary>
public sealed class PlcMeterControlTests : IAsyncDisposable
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);
    private PlcSite? _site;

    public async ValueTask DisposeAsync()
    {
        if (_site is not null) await _site.DisposeAsync();
    }

    private async Task<(PlcSite Site, PlcMeterReader Reader)> StartAsync(bool broadcast = true, Dlt645Password? password = null, TimeSpan broadcastDuration = default)
    {
        _site = await PlcSite.StartAsync(2, new SimulatedPlcModuleOptions { SupportsBroadcast = broadcast, BroadcastDuration = broadcastDuration },
            PlcSite.ModuleOptions(scale: 0.02, maxConcurrent: 1));
        var protocol = new Dlt645PlcProtocol
        {
            MeterUtcOffset = Beijing,
            Control = new Dlt645ControlSettings { RelayPassword = password ?? new Dlt645Password(2, 0) },
        };
        return (_site, new PlcMeterReader(_site.Module, protocol));
    }

    [Fact]
    public async Task A_relay_command_is_forwarded_to_the_meter_and_read_back()
    {
        var (site, reader) = await StartAsync();
        var entry = PlcSite.ArchiveEntry(1);
        Assert.True(reader.SupportsRelay(entry));

        await reader.SetRelayAsync(entry, RelayAction.Disconnect, CancellationToken.None);
        Assert.True(site.Meters[PlcSite.Address(1)].RelayOpen);
        Assert.False(site.Meters[PlcSite.Address(0)].RelayOpen);
        Assert.Equal(RelayState.Disconnected, await reader.ReadRelayAsync(entry, CancellationToken.None));

        await reader.SetRelayAsync(entry, RelayAction.Connect, CancellationToken.None);
        Assert.Equal(RelayState.Connected, await reader.ReadRelayAsync(entry, CancellationToken.None));
        Assert.Equal(4, reader.Counters.Requests);
    }

    [Fact]
    public async Task A_refused_relay_command_surfaces_the_meter_error_word()
    {
        var (site, reader) = await StartAsync(password: new Dlt645Password(2, 0x999999));
        var ex = await Assert.ThrowsAsync<Dlt645MeterException>(() => reader.SetRelayAsync(PlcSite.ArchiveEntry(0), RelayAction.Disconnect, CancellationToken.None));
        Assert.Equal("dlt645_unauthorized", ex.Reason);
        Assert.False(site.Meters[PlcSite.Address(0)].RelayOpen);
    }

    [Fact]
    public async Task Clocks_are_read_and_set_through_the_module_and_broadcast_with_AFN_05_F3()
    {
        var (site, reader) = await StartAsync();
        var meter = site.Meters[PlcSite.Address(0)];
        lock (meter) meter.ClockOffset = TimeSpan.FromMinutes(4);
        var clock = await reader.ReadClockAsync(PlcSite.ArchiveEntry(0), CancellationToken.None);
        Assert.InRange((clock - DateTimeOffset.UtcNow).TotalSeconds, 235, 245);

        await reader.SetClockAsync(PlcSite.ArchiveEntry(0), DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.InRange(Math.Abs(meter.ClockOffset.TotalSeconds), 0, 2);

        lock (meter) meter.ClockOffset = TimeSpan.FromMinutes(-2);
        lock (site.Meters[PlcSite.Address(1)]) site.Meters[PlcSite.Address(1)].ClockOffset = TimeSpan.FromMinutes(3);
        Assert.True(await reader.BroadcastTimeAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(1, site.Sim.BroadcastsSent);
        Assert.All(site.Meters.Values, m => Assert.InRange(Math.Abs(m.ClockOffset.TotalSeconds), 0, 2));
    }

    [Fact]
    public async Task A_broadcast_returns_after_the_wait_time_the_module_announced()
    {
        var (site, reader) = await StartAsync(broadcastDuration: TimeSpan.FromMilliseconds(600));
        var meter = site.Meters[PlcSite.Address(0)];
        lock (meter) meter.ClockOffset = TimeSpan.FromMinutes(2);
        var started = DateTimeOffset.UtcNow;
        Assert.True(await reader.BroadcastTimeAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(900), "the confirm announced 1 s (whole seconds)");
        lock (meter) Assert.InRange(Math.Abs(meter.ClockOffset.TotalSeconds), 0, 2); // heard before the call returned
    }

    [Fact]
    public void The_confirm_wait_time_is_read_from_bytes_4_and_5()
    {
        Assert.Equal(TimeSpan.FromSeconds(0x0102), Q13762Data.ConfirmWaitTime(Q13762Data.Confirm(0x0102)));
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01], Q13762Data.Confirm(0x0102));
        Assert.Equal(TimeSpan.Zero, Q13762Data.ConfirmWaitTime([0xFF, 0xFF]));
    }

    [Fact]
    public async Task A_module_without_broadcast_says_false()
    {
        var (site, reader) = await StartAsync(broadcast: false);
        Assert.False(await reader.BroadcastTimeAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(0, site.Sim.BroadcastsSent);
    }

    [Fact]
    public void Broadcast_request_carries_protocol_length_and_frame()
    {
        var frame = Dlt645MeterControl.BroadcastTimeFrame(new DateTimeOffset(2024, 5, 17, 5, 45, 30, TimeSpan.Zero), Beijing);
        var data = Q13762Data.BroadcastRequest(PlcProtocolType.Dlt645_2007, frame);
        Assert.Equal([0x02, 18, .. frame], data);
        Assert.True(Q13762Data.TryParseBroadcastRequest(data, out var protocol, out var parsed));
        Assert.Equal(PlcProtocolType.Dlt645_2007, protocol);
        Assert.Equal(frame, parsed);
        Assert.False(Q13762Data.TryParseBroadcastRequest(data.AsSpan(0, data.Length - 1), out _, out _));
    }
}
