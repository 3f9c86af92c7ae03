using Dcu.Testing;
using System.Collections.Concurrent;
using System.Text.Json;
using Dcu.Core.Abstractions;
using Dcu.Core.Commands;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

/// <summary>The relay and time.sync commands over the real DL/T 645 reader and simulated meters on one RS485 line.</summary>
public sealed class Dlt645CommandHandlerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 5, 17, 4, 0, 0, TimeSpan.Zero));
    private readonly SimulatedDlt645Bus _bus = new(TimeProvider.System);
    private readonly Dictionary<MeterId, (Meter Entry, SimulatedDlt645Meter Sim)> _meters = [];
    private readonly Dlt645MeterReader _reader;

    public Dlt645CommandHandlerTests()
    {
        for (var i = 1; i <= 4; i++)
        {
            var address = $"00000000000{i}";
            var sim = new SimulatedDlt645Meter(Dlt645Address.Parse(address), _time, seed: i) { MaxBroadcastCorrection = TimeSpan.FromMinutes(5) };
            _bus.Attach(sim);
            var entry = new Meter(new MeterId($"m{i}"), "rs485-1", MeterProtocol.Dlt645, address, "dlt645");
            _meters[entry.Id] = (entry, sim);
        }
        _bus.OpenAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var client = new Dlt645Client(_bus, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(300), Retries = 0, BroadcastTurnaround = TimeSpan.Zero });
        _reader = new Dlt645MeterReader(client)
        {
            MeterUtcOffset = TimeSpan.FromHours(8),
            TimeProvider = _time,
            Control = new Dlt645ControlSettings { RelayPassword = new Dlt645Password(2, 0) },
        };
    }

    private SimulatedDlt645Meter Sim(string id) => _meters[new MeterId(id)].Sim;

    private static CommandRequest Request(string name, string args = "{}") =>
        new("c-1", name, long.MaxValue, new CommandArgs(JsonDocument.Parse(args).RootElement.Clone()));

    [Fact]
    public async Task Relay_disconnect_reads_back_each_meter()
    {
        var ops = new OneBus(this);
        var outcome = await RelayHandler.Disconnect(ops, new RelayCommandOptions { ReadBackDelay = TimeSpan.Zero }).ExecuteAsync(Request("relay.disconnect", """{"meters":["m2","m3"]}"""), CancellationToken.None);
        Assert.Equal(["disconnected", "disconnected"], outcome.Data!["meters"]!.AsArray().Select(m => (string)m!["readBack"]!));
        Assert.True(Sim("m2").RelayOpen);
        Assert.True(Sim("m3").RelayOpen);
        Assert.False(Sim("m1").RelayOpen);

        // A meter with another password refuses: the command fails for it, with the meter's reason.
        var stranger = new SimulatedDlt645Meter(Dlt645Address.Parse("000000000009"), _time, seed: 9) { Password = new Dlt645Password(2, 0x111111) };
        _bus.Attach(stranger);
        _meters[new MeterId("m9")] = (new Meter(new MeterId("m9"), "rs485-1", MeterProtocol.Dlt645, "000000000009", "dlt645"), stranger);
        var ex = await Assert.ThrowsAsync<CommandFailedException>(() =>
            RelayHandler.Connect(ops, new RelayCommandOptions { ReadBackDelay = TimeSpan.Zero }).ExecuteAsync(Request("relay.connect", """{"meters":["m2","m9"]}"""), CancellationToken.None));
        Assert.Contains("m9 dlt645_unauthorized", ex.Message, StringComparison.Ordinal);
        Assert.False(Sim("m2").RelayOpen);
    }

    [Fact]
    public async Task Time_sync_broadcasts_then_corrects_or_reports_by_band()
    {
        Sim("m1").ClockOffset = TimeSpan.FromSeconds(3);
        Sim("m2").ClockOffset = TimeSpan.FromMinutes(-4);  // within what the broadcast moves
        Sim("m3").ClockOffset = TimeSpan.FromMinutes(8);   // the broadcast leaves it: written with 14H
        Sim("m4").ClockOffset = TimeSpan.FromMinutes(-45); // reported only
        var outbox = new RecordingOutbox();
        var handler = new TimeSyncHandler(new OneBus(this), () => [.. _meters.Values.Select(m => m.Entry)], outbox, new TimeSyncOptions(), _time);

        var outcome = await handler.ExecuteAsync(Request("time.sync"), CancellationToken.None);

        Assert.Equal("sent", (string)outcome.Data!["buses"]![0]!["broadcast"]!);
        var actions = outcome.Data["meters"]!.AsArray().ToDictionary(m => (string)m!["meter"]!, m => (string)m!["action"]!);
        Assert.Equal(new Dictionary<string, string> { ["m1"] = "none", ["m2"] = "none", ["m3"] = "corrected", ["m4"] = "reported" }, actions);
        Assert.All(new[] { "m1", "m2", "m3" }, id => Assert.InRange(Math.Abs(Sim(id).ClockOffset.TotalSeconds), 0, 1));
        Assert.Equal(TimeSpan.FromMinutes(-45), Sim("m4").ClockOffset);
        var e = Assert.Single(outbox.Events);
        Assert.Equal("m4", e.Meter!.Value.Value);
        Assert.Equal(TimeSyncHandler.ClockOffsetEventKind, e.Kind);
        Assert.Contains("2700 s behind the DCU", e.Detail, StringComparison.Ordinal);
    }

    /// <summary>All meters on one bus whose control is the reader; jobs run one at a time, as the bus worker would.</summary>
    private sealed class OneBus(Dlt645CommandHandlerTests site) : IMeterOperations
    {
        private readonly SemaphoreSlim _bus = new(1, 1);

        public bool TryGetMeter(MeterId id, out Meter meter)
        {
            var found = site._meters.TryGetValue(id, out var m);
            meter = m.Entry;
            return found;
        }

        public async Task<T> RunOnMeterAsync<T>(MeterId meter, Func<Meter, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        {
            if (!TryGetMeter(meter, out var m)) throw new ArgumentException($"{meter} is not in the archive", nameof(meter));
            await _bus.WaitAsync(cancellationToken);
            try { return await operation(m, site._reader, cancellationToken); }
            finally { _bus.Release(); }
        }

        public async Task<IReadOnlyList<T>> RunOnEachBusAsync<T>(Func<string, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        {
            await _bus.WaitAsync(cancellationToken);
            try { return [await operation("rs485-1", site._reader, cancellationToken)]; }
            finally { _bus.Release(); }
        }
    }
}
