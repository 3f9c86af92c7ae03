using Dcu.Core.Abstractions;
using Dcu.Drivers.Cellular;
using Dcu.Drivers.Links;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Mqtt;
using Dcu.Testing;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>
/// The driver over real serial I/O: System.IO.Ports on one end of a socat pty pair, the simulated
/// modem answering on the other end (also through System.IO.Ports), in real time.
/// </summary>
public sealed class CellularModemPtyTests
{
    private static readonly CellularModemOptions Options = new() { PollInterval = TimeSpan.FromSeconds(10), CommandTimeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task The_modem_is_polled_over_a_pty_pair()
    {
        await using var pair = await SocatPtyPair.StartAsync();
        await using var modemEnd = new SerialByteLink(new SerialLinkOptions { PortName = pair.PortB, BaudRate = 115_200 });
        await modemEnd.OpenAsync(CancellationToken.None);
        var sim = new SimulatedAtModem(TimeProvider.System, new SimulatedAtModemOptions { Rssi = 22 });
        using var stop = new CancellationTokenSource();
        var serve = sim.ServeAsync(modemEnd, stop.Token);

        var log = new ListLogger<CellularModem>();
        await using var modem = new CellularModem(new SerialByteLink(new SerialLinkOptions { PortName = pair.PortA, BaudRate = 115_200 }), Options, TimeProvider.System, log);
        try
        {
            await modem.PollAsync(CancellationToken.None);
            Assert.Equal(new LinkSignal(-69, 71), modem.Read());
            Assert.Equal("356938035643809", modem.Snapshot().Imei);
            Assert.False(sim.Echo);

            sim.SimPresent = false;
            await modem.PollAsync(CancellationToken.None);
            Assert.Null(modem.Read());
            Assert.Equal(SimState.NotInserted, modem.Snapshot().Sim);

            sim.SimPresent = true;
            sim.Rssi = 9;
            sim.EmitUrc("+CREG: 1");
            await modem.PollAsync(CancellationToken.None);
            Assert.Equal(new LinkSignal(-95, 29), modem.Read());
            var s = modem.Snapshot();
            Assert.Equal(3, s.Polls);
            Assert.Equal(0, s.Timeouts + s.PortErrors + s.BadLines + s.BadResponses);
        }
        finally
        {
            await stop.CancelAsync();
            await Eventually.WithinAsync(serve.ContinueWith(_ => true, TaskScheduler.Default), "the simulated modem to stop serving");
            await sim.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_missing_port_is_counted_and_logged_once_and_never_thrown()
    {
        var log = new ListLogger<CellularModem>();
        var path = Path.Combine(Path.GetTempPath(), $"dcu-no-modem-{Guid.NewGuid():N}");
        await using var modem = new CellularModem(new SerialByteLink(new SerialLinkOptions { PortName = path, BaudRate = 115_200 }), Options, TimeProvider.System, log);

        await modem.PollAsync(CancellationToken.None);
        await modem.PollAsync(CancellationToken.None);

        var s = modem.Snapshot();
        Assert.Equal(2, s.PortErrors);
        Assert.False(s.Answering);
        Assert.Null(modem.Read());
        Assert.Single(log.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(path, StringComparison.Ordinal));
    }
}
