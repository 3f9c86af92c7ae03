using System.Text.Json;
using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Core.Commands;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Profiles;
using Dcu.Drivers.Simulation;
using Dcu.Host.Configuration;
using Dcu.Host.Runtime;
using Dcu.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Host.Tests.Runtime;

/// <summary>meters.add / meters.remove on a PLC bus reach the module's route table, through the Host's PlcBus and a simulated module speaking Q/GDW 1376.2.</summary>
public sealed class PlcArchiveSyncTests : IAsyncDisposable
{
    private const string Bus = "plc-1";
    private static readonly PlcAddress Dcu = PlcAddress.Parse("000000000001");
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-plc-archive-");
    private readonly CancellationTokenSource _stop = new();
    private readonly SimulatedPlcModule _sim = new(TimeProvider.System, new SimulatedPlcModuleOptions
    {
        ForwardLatencyMin = TimeSpan.FromMilliseconds(5),
        ForwardLatencyMax = TimeSpan.FromMilliseconds(20),
        MaxConcurrentForwards = 2,
    });
    private PlcBus? _bus;
    private Task? _run;

    private static CommandRequest Request(string name, string args) =>
        new("c-1", name, long.MaxValue, new CommandArgs(JsonDocument.Parse(args).RootElement.Clone()));

    private async Task<(MeterArchive Archive, IReadOnlyList<ICommandHandler> Handlers)> StartAsync(params string[] addresses)
    {
        var module = new PlcModule(_sim, new PlcModuleOptions
        {
            MainNodeAddress = Dcu,
            AfterInitDelay = TimeSpan.Zero,
            CommandTimeout = TimeSpan.FromMilliseconds(500),
            ForwardTimeout = TimeSpan.FromSeconds(2),
            ReadRunMode = false,
            MaxConcurrent = 2,
        });
        var site = new SimulatedSiteOptions();
        var meters = addresses.Select((a, i) => new Meter(new MeterId($"m{i}"), Bus, MeterProtocol.Plc, a, "")).ToArray();
        _bus = new PlcBus(Bus, meters, module, new Dlt645PlcProtocol(), _sim.Name, 2,
            m =>
            {
                var meter = new SimulatedDlt645Meter(Dlt645Address.Parse(m.Address), TimeProvider.System, 7, site);
                _sim.AddMeter(m.Address, frame => meter.Respond(frame.Span));
            });
        foreach (var m in meters)
        {
            var meter = new SimulatedDlt645Meter(Dlt645Address.Parse(m.Address), TimeProvider.System, 3, site);
            _sim.AddMeter(m.Address, frame => meter.Respond(frame.Span));
        }
        await _bus.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var options = new CollectionOptions();
        var worker = new BusWorker(Bus, _bus.Reader, meters, new NullOutbox(), new SystemClockStatus(TimeProvider.System), options, TimeProvider.System,
            NullLogger<BusWorker>.Instance, _bus.MaxConcurrency);
        var scheduler = new CollectionScheduler(options, [], [worker], TimeProvider.System, NullLogger<CollectionScheduler>.Instance);
        _run = worker.RunAsync(_stop.Token);
        var validator = new HostMeterEntryValidator([new BusOptions { Name = Bus, Type = BusType.SimulatedPlc }], new Dictionary<string, MeterProfile>());
        var archive = new MeterArchive(scheduler, validator, meters.Select(m => new MeterEntry { Id = m.Id.Value, Bus = Bus, Address = m.Address }),
            new CollectionStateFiles(_dir.FullName), [_bus], null, TimeProvider.System, NullLogger<MeterArchive>.Instance);
        return (archive, CollectionCommands.Create(archive, new TaskBook(archive, new CollectionStateFiles(_dir.FullName), NullLogger<TaskBook>.Instance)));
    }

    [Fact]
    public async Task Meters_added_and_removed_by_command_reach_the_module_route_table()
    {
        var (archive, handlers) = await StartAsync("000000000101", "000000000102");
        Assert.Equal(["000000000101", "000000000102"], _sim.RouteTable.Select(a => a.ToString()).Order());
        ICommandHandler Handler(string name) => handlers.Single(h => h.Name == name);

        var added = await Handler("meters.add").ExecuteAsync(Request("meters.add",
            """{"meters":[{"id":"new-1","bus":"plc-1","address":"000000000201"},{"id":"new-2","bus":"plc-1","address":"000000000202"}]}"""), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        var sync = added.Data!["routeSync"]!.AsArray().Single()!;
        Assert.Equal((Bus, true), ((string)sync["bus"]!, (bool)sync["verified"]!));
        Assert.Equal(["000000000101", "000000000102", "000000000201", "000000000202"], _sim.RouteTable.Select(a => a.ToString()).Order());
        var read = await Handler("read").ExecuteAsync(Request("read", """{"meters":["new-2"],"quantities":["1.0.1.8.0"]}"""), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(CommandStatus.Done, read.Status); // the added meter answers through the module
        Assert.Equal("1.0.1.8.0", (string)read.Data!["meters"]!["new-2"]!["values"]![0]!["q"]!);

        var removed = await Handler("meters.remove").ExecuteAsync(Request("meters.remove", """{"meters":["m0","new-1"]}"""), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True((bool)removed.Data!["routeSync"]![0]!["verified"]!);
        Assert.Equal(["000000000102", "000000000202"], _sim.RouteTable.Select(a => a.ToString()).Order());
        Assert.Equal(["m1", "new-2"], archive.Entries.Select(e => e.Id));
        Assert.Equal(["m1", "new-2"], new CollectionStateFiles(_dir.FullName).LoadMeters()!.Select(e => e.Id));
    }

    [Fact]
    public async Task A_bad_plc_address_is_refused_by_the_host_rules_and_the_route_table_is_untouched()
    {
        var (archive, handlers) = await StartAsync("000000000101");

        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => handlers.Single(h => h.Name == "meters.add").ExecuteAsync(Request("meters.add",
            """{"meters":[{"id":"x","bus":"plc-1","address":"12AB"},{"id":"y","bus":"plc-9","address":"000000000001"}]}"""), CancellationToken.None));

        Assert.Equal("args.meters[0].address '12AB' must be a 12-digit DL/T 645 meter address; args.meters[1].bus 'plc-9' is not in Buses", ex.Message);
        Assert.Equal(["000000000101"], _sim.RouteTable.Select(a => a.ToString()));
        Assert.Single(archive.Entries);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null) await _run.WaitAsync(TimeSpan.FromSeconds(10));
        if (_bus is not null) await _bus.DisposeAsync();
        _stop.Dispose();
        _dir.Delete(recursive: true);
    }

    private sealed class NullOutbox : IOutboxWriter
    {
        public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
