using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Links;
using Dcu.Drivers.Simulation;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

/// <summary>
/// Relay and clock control over a real serial port (System.IO.Ports on a socat pty pair, 2400 8E1 as
/// configured; a pty has no baud timing): the DCU's reader on one end, a simulated meter answering
/// whole frames on the other.
/// </summary>
public sealed class Dlt645PtyControlTests
{
    [Fact]
    public async Task Relay_and_clock_round_trip_over_a_pty_pair()
    {
        await using var pair = await SocatPtyPair.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 17, 4, 0, 0, TimeSpan.Zero));
        var sim = new SimulatedDlt645Meter(Dlt645Address.Parse("202600000001"), time, seed: 1) { Password = new Dlt645Password(2, 0x918273) };
        await using var meterEnd = new SerialByteLink(new SerialLinkOptions { PortName = pair.PortB, BaudRate = 2400, Parity = SerialParity.Even });
        await meterEnd.OpenAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var meterLoop = AnswerAsync(meterEnd, sim, stop.Token);

        await using var link = new SerialByteLink(new SerialLinkOptions { PortName = pair.PortA, BaudRate = 2400, Parity = SerialParity.Even });
        await link.OpenAsync(CancellationToken.None);
        var client = new Dlt645Client(link, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromSeconds(2), BroadcastTurnaround = TimeSpan.Zero });
        var reader = new Dlt645MeterReader(client)
        {
            MeterUtcOffset = TimeSpan.FromHours(8),
            TimeProvider = time,
            Control = new Dlt645ControlSettings { RelayPassword = sim.Password },
        };
        var meter = new Meter(new MeterId("pty-1"), "rs485-1", MeterProtocol.Dlt645, "202600000001", "dlt645");
        try
        {
            await reader.SetRelayAsync(meter, RelayAction.Disconnect, CancellationToken.None);
            Assert.Equal(RelayState.Disconnected, await reader.ReadRelayAsync(meter, CancellationToken.None));
            await reader.SetRelayAsync(meter, RelayAction.Connect, CancellationToken.None);
            Assert.Equal(RelayState.Connected, await reader.ReadRelayAsync(meter, CancellationToken.None));

            lock (sim) sim.ClockOffset = TimeSpan.FromMinutes(6);
            Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(6), await reader.ReadClockAsync(meter, CancellationToken.None));
            await reader.SetClockAsync(meter, time.GetUtcNow(), CancellationToken.None);
            Assert.Equal(time.GetUtcNow(), await reader.ReadClockAsync(meter, CancellationToken.None));
        }
        finally
        {
            await stop.CancelAsync();
            await meterLoop;
        }
    }

    /// <summary>The meter's side: frames the bytes as they come (FE preamble, noise skipped), answers each whole frame.</summary>
    private static async Task AnswerAsync(SerialByteLink link, SimulatedDlt645Meter meter, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>();
        var chunk = new byte[256];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = await link.ReadAsync(chunk, cancellationToken);
                if (n == 0) return;
                buffer.AddRange(chunk.AsSpan(0, n).ToArray());
                while (buffer.Count > 0)
                {
                    var bytes = buffer.ToArray();
                    var status = Dlt645Frame.TryRead(bytes, out _, out var consumed, out _);
                    if (status == Dlt645FrameStatus.Incomplete) break;
                    if (status == Dlt645FrameStatus.Error)
                    {
                        buffer.RemoveRange(0, 1 + Dlt645Frame.FindStart(bytes.AsSpan(1)));
                        continue;
                    }
                    byte[]? reply;
                    lock (meter) reply = meter.Respond(bytes.AsSpan(0, consumed));
                    buffer.RemoveRange(0, consumed);
                    if (reply is not null) await link.WriteAsync(reply, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
