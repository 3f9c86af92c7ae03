using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Simulation;
using Dcu.Testing;

namespace Dcu.Drivers.Tests.Plc;

public sealed class PlcModuleTests : IAsyncDisposable
{
    private static readonly PlcAddress Dcu = PlcAddress.Parse(PlcVectors.MainNode);
    private readonly List<IAsyncDisposable> _owned = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _owned) await d.DisposeAsync();
    }

    private static PlcModuleOptions Options(int retries = 1, int timeoutMs = 500) => new()
    {
        MainNodeAddress = Dcu,
        AfterInitDelay = TimeSpan.Zero,
        CommandTimeout = TimeSpan.FromMilliseconds(500),
        ForwardTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        ForwardRetries = retries,
        RetryBackoff = TimeSpan.FromMilliseconds(5),
        InterByteTimeout = TimeSpan.FromMilliseconds(200),
        ReadRunMode = false,
    };

    private async Task<(SimulatedPlcModule Sim, PlcModule Module)> StartAsync(SimulatedPlcModuleOptions? simOptions = null, PlcModuleOptions? options = null)
    {
        var sim = new SimulatedPlcModule(TimeProvider.System, simOptions);
        var module = new PlcModule(sim, options ?? Options());
        _owned.Add(module);
        await Eventually.WithinAsync(module.StartAsync(CancellationToken.None).ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), "start-up");
        return (sim, module);
    }

    private static string MeterAddress(int i) => $"{100000000000 + i}";

    [Fact]
    public async Task Start_up_reads_info_and_sets_the_main_node()
    {
        var (sim, module) = await StartAsync(options: Options() with { ReadRunMode = true });
        Assert.Equal(Dcu, sim.MainNodeAddress);
        Assert.Equal(Dcu, module.MainNodeAddress);
        Assert.Equal("SM", module.Info!.VendorCode);
        Assert.Equal("0102", module.Info.Version);
        Assert.Equal(new DateOnly(2024, 5, 17), module.Info.VersionDate);
        Assert.NotNull(module.RunMode);
        Assert.Equal(TimeSpan.FromSeconds(1), module.ForwardTimeout); // raised to the module's slave-monitor timeout
        Assert.Equal(0, module.Counters.Timeouts);
    }

    [Fact]
    public async Task Start_up_leaves_a_correct_main_node_alone()
    {
        var (sim, module) = await StartAsync(new SimulatedPlcModuleOptions { MainNodeAddress = Dcu });
        Assert.Equal(Dcu, module.MainNodeAddress);
        // AFN 01 F1, 03 F1, 03 F4, 12 F2: no AFN 05 F1.
        Assert.Equal(4, sim.FramesReceived);
    }

    [Fact]
    public async Task Archive_sync_adds_and_removes_until_the_table_equals_the_archive()
    {
        var (sim, module) = await StartAsync();
        for (var i = 0; i < 5; i++) sim.AddRouteEntry(MeterAddress(900 + i)); // 5 extra nodes
        var archive = Enumerable.Range(0, 10).Select(MeterAddress).ToList();

        var result = await module.SyncArchiveAsync(archive, CancellationToken.None);

        Assert.True(result.Verified);
        Assert.Equal(10, result.Added);
        Assert.Equal(5, result.Removed);
        Assert.Equal(archive.Order(), sim.RouteTable.Select(a => a.ToString()).Order());

        // Shrink the archive by 5: they go.
        var smaller = archive.Take(5).ToList();
        result = await module.SyncArchiveAsync(smaller, CancellationToken.None);
        Assert.True(result.Verified);
        Assert.Equal(5, result.Removed);
        Assert.Equal(smaller.Order(), sim.RouteTable.Select(a => a.ToString()).Order());
    }

    [Fact]
    public async Task After_a_module_reset_the_archive_is_resynced()
    {
        var (sim, module) = await StartAsync();
        var archive = Enumerable.Range(0, 20).Select(MeterAddress).ToList();
        await module.SyncArchiveAsync(archive, CancellationToken.None);

        sim.Reset();

        await Eventually.TrueAsync(() => module.Counters.ModuleResets == 1, "reset detected");
        await Eventually.TrueAsync(() => sim.RouteTable.Count == 20 && module.RecoveryIdle.IsCompleted, "route table repaired");
        Assert.Equal(archive.Order(), sim.RouteTable.Select(a => a.ToString()).Order());
        Assert.Contains(sim.Confirmed, _ => true); // the run-mode announcement was confirmed
        var events = Drain(module);
        Assert.Contains(events, e => e is PlcModuleResetDetected);
    }

    [Fact]
    public async Task Forward_returns_the_meter_reply()
    {
        var (sim, module) = await StartAsync(new SimulatedPlcModuleOptions { ReplyChunkSize = 1 });
        sim.AddMeter(PlcVectors.Meter, FakeDlt645.Meter(PlcVectors.Meter));
        await module.SyncArchiveAsync([PlcVectors.Meter], CancellationToken.None);

        var reply = await module.ForwardAsync(PlcVectors.Meter, PlcProtocolType.Dlt645_2007, FakeDlt645.Read00010000(PlcVectors.Meter));

        Assert.Equal(PlcVectors.Dlt645Reply1234_56.Replace(" ", "", StringComparison.Ordinal), PlcHex.Of(reply));
    }

    [Fact]
    public async Task Reader_reads_through_the_module()
    {
        var (sim, module) = await StartAsync();
        sim.AddMeter(PlcVectors.Meter, FakeDlt645.Meter(PlcVectors.Meter));
        await module.SyncArchiveAsync([PlcVectors.Meter], CancellationToken.None);
        var reader = new PlcMeterReader(module, new FakeDlt645Protocol());
        var meter = new Meter(new MeterId("m1"), "plc", MeterProtocol.Plc, PlcVectors.Meter, "dlt645");

        var values = await reader.ReadAsync(meter, [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1], CancellationToken.None);

        var value = Assert.Single(values);
        Assert.Equal(1234.56, value.Value, 6);
        Assert.Equal("kWh", value.Unit);
    }

    [Fact]
    public async Task Silent_meter_is_a_timeout()
    {
        var (sim, module) = await StartAsync(options: Options(retries: 1, timeoutMs: 200));
        sim.AddMeter(PlcVectors.Meter, _ => null);
        await module.SyncArchiveAsync([PlcVectors.Meter], CancellationToken.None);
        var reader = new PlcMeterReader(module, new FakeDlt645Protocol());
        var meter = new Meter(new MeterId("m1"), "plc", MeterProtocol.Plc, PlcVectors.Meter, "dlt645");

        await Assert.ThrowsAsync<TimeoutException>(() => reader.ReadAsync(meter, [ObisCode.ActiveEnergyImport], CancellationToken.None));
        Assert.Equal(1, reader.Counters.Timeouts);
        Assert.Equal(1, module.Counters.Retries);
    }

    [Fact]
    public async Task Lossy_line_with_latency_is_carried_by_retries()
    {
        var (sim, module) = await StartAsync(
            new SimulatedPlcModuleOptions { ForwardLatencyMin = TimeSpan.FromMilliseconds(2), ForwardLatencyMax = TimeSpan.FromMilliseconds(15), DropRate = 0.05, Seed = 7 },
            Options(retries: 1, timeoutMs: 150));
        var addresses = Enumerable.Range(0, 10).Select(MeterAddress).ToList();
        foreach (var a in addresses) sim.AddMeter(a, FakeDlt645.Meter(a));
        await module.SyncArchiveAsync(addresses, CancellationToken.None);
        var reader = new PlcMeterReader(module, new FakeDlt645Protocol());

        var ok = 0;
        const int reads = 100;
        for (var i = 0; i < reads; i++)
        {
            var meter = new Meter(new MeterId($"m{i}"), "plc", MeterProtocol.Plc, addresses[i % 10], "dlt645");
            try
            {
                if ((await reader.ReadAsync(meter, [ObisCode.ActiveEnergyImport], CancellationToken.None)).Count == 1) ok++;
            }
            catch (TimeoutException) { }
        }

        Assert.True(sim.ForwardsDropped > 0, "the line lost nothing: the test proves nothing");
        Assert.True(ok >= 97, $"only {ok}/{reads} reads succeeded with {sim.ForwardsDropped} frames lost");
        Assert.True(module.Counters.Retries >= sim.ForwardsDropped - (reads - ok));
    }

    [Fact]
    public async Task Concurrent_relays_are_capped()
    {
        var (sim, module) = await StartAsync(
            new SimulatedPlcModuleOptions { ForwardLatencyMin = TimeSpan.FromMilliseconds(20), ForwardLatencyMax = TimeSpan.FromMilliseconds(30), MaxConcurrentForwards = 3 },
            Options() with { MaxConcurrent = 3 });
        var addresses = Enumerable.Range(0, 9).Select(MeterAddress).ToList();
        foreach (var a in addresses) sim.AddMeter(a, FakeDlt645.Meter(a));
        await module.SyncArchiveAsync(addresses, CancellationToken.None);

        var replies = await Task.WhenAll(addresses.Select(a => module.ForwardAsync(a, PlcProtocolType.Dlt645_2007, FakeDlt645.Read00010000(a))));

        Assert.All(replies, r => Assert.Equal(20, r.Length));
        Assert.Equal(3, sim.MaxForwardsInFlight);
        Assert.Equal(0, sim.ForwardsDenied);
    }

    [Fact]
    public async Task Module_reset_mid_relay_is_recovered()
    {
        var (sim, module) = await StartAsync(
            new SimulatedPlcModuleOptions { ForwardLatencyMin = TimeSpan.FromMilliseconds(300), ForwardLatencyMax = TimeSpan.FromMilliseconds(300) },
            Options(retries: 1, timeoutMs: 2000));
        sim.AddMeter(PlcVectors.Meter, FakeDlt645.Meter(PlcVectors.Meter));
        await module.SyncArchiveAsync([PlcVectors.Meter], CancellationToken.None);

        var relay = module.ForwardAsync(PlcVectors.Meter, PlcProtocolType.Dlt645_2007, FakeDlt645.Read00010000(PlcVectors.Meter));
        await Eventually.TrueAsync(() => sim.FramesReceived > 0 && sim.MaxForwardsInFlight == 1, "relay in flight");
        sim.Reset();

        var reply = await Eventually.WithinAsync(relay, "relay after reset");
        Assert.Equal(20, reply.Length);
        Assert.Equal(1, module.Counters.ModuleResets);
        Assert.Contains(sim.RouteTable, a => a.ToString() == PlcVectors.Meter);
    }

    [Fact]
    public async Task A_reply_from_another_meter_is_refused_and_counted()
    {
        var (sim, module) = await StartAsync();
        // The meter answers with another meter's frame (DL/T 645 level).
        sim.AddMeter(PlcVectors.Meter, _ => FakeDlt645.Reply("999999999999", 100));
        await module.SyncArchiveAsync([PlcVectors.Meter], CancellationToken.None);
        var reader = new PlcMeterReader(module, new FakeDlt645Protocol());
        var meter = new Meter(new MeterId("m1"), "plc", MeterProtocol.Plc, PlcVectors.Meter, "dlt645");

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadAsync(meter, [ObisCode.ActiveEnergyImport], CancellationToken.None));
        Assert.Equal("wrong_address", ex.Reason);
        Assert.Equal(1, reader.Counters.FailuresOf("wrong_address"));

        // The module says another node answered (1376.2 level).
        sim.AddMeter(PlcVectors.Meter, FakeDlt645.Meter(PlcVectors.Meter));
        sim.ForgeReplySource = PlcAddress.Parse("999999999999");
        ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadAsync(meter, [ObisCode.ActiveEnergyImport], CancellationToken.None));
        Assert.Equal("wrong_address", ex.Reason);
        Assert.Equal(1, module.Counters.WrongAddress);
    }

    [Fact]
    public async Task Unknown_afn_and_garbage_are_ignored()
    {
        var (sim, module) = await StartAsync();
        sim.AddMeter(PlcVectors.Meter, FakeDlt645.Meter(PlcVectors.Meter));
        await module.SyncArchiveAsync([PlcVectors.Meter], CancellationToken.None);

        sim.SendModuleInitiated((Q13762Afn)0x7E, Q13762Fn.F1, [1, 2, 3]);
        sim.InjectBytes([0x00, 0x68, 0xFF, 0xFF, 0x12]);
        sim.CorruptNextFrame();
        sim.EmitReport(Q13762Fn.F3, [1]);
        await Eventually.TrueAsync(() => module.Counters.UnknownAfn == 1 && module.Counters.BadFrames >= 1, "unknown AFN and bad frame counted");

        var reply = await module.ForwardAsync(PlcVectors.Meter, PlcProtocolType.Dlt645_2007, FakeDlt645.Read00010000(PlcVectors.Meter));
        Assert.Equal(20, reply.Length);
        Assert.True(module.Counters.GarbageBytes > 0);
    }

    [Fact]
    public async Task Unsolicited_reports_are_confirmed_and_surfaced()
    {
        var (sim, module) = await StartAsync();
        var meter = PlcAddress.Parse(PlcVectors.Meter);

        var s1 = sim.EmitReport(Q13762Fn.F1, Q13762Data.ReportedNodes([meter], PlcProtocolType.Dlt645_2007));
        var s2 = sim.EmitReport(Q13762Fn.F5, Q13762Data.ReportedEvent(1, PlcProtocolType.Dlt645_2007, PlcHex.Bytes(PlcVectors.Dlt645Reply1234_56)), meter);
        var s3 = sim.SendModuleInitiated(Q13762Afn.RouteRequest, Q13762Fn.F2, []);

        await Eventually.TrueAsync(() => new[] { s1, s2, s3 }.All(sim.Confirmed.Contains), "reports confirmed");
        var events = Drain(module);
        Assert.Contains(events, e => e is PlcNodesReported n && n.Nodes.Single() == meter);
        Assert.Contains(events, e => e is PlcMeterFrameReported { IsEvent: true } r && r.Meter == meter && r.Frame.Length == 20);
        Assert.Contains(events, e => e is PlcModuleRequestReceived r && r.Fn.Number == 2);
        Assert.Equal(3, module.Counters.UnsolicitedFrames);
        Assert.Equal(3, module.Counters.ConfirmsSent);
    }

    [Fact]
    public async Task Deny_is_a_typed_error()
    {
        var (_, module) = await StartAsync();
        // Relay to a node the module does not know and the archive does not hold: 0CH, not retried.
        var ex = await Assert.ThrowsAsync<PlcModuleDeniedException>(() =>
            module.ForwardAsync("555555555555", PlcProtocolType.Dlt645_2007, FakeDlt645.Read00010000("555555555555")));
        Assert.Equal(Q13762DenyCode.SlaveNodeNotInNetwork, ex.Code);
        Assert.Equal("plc_deny_0c", ex.Reason);
        Assert.Equal(1, module.Counters.Denies);
        Assert.Equal(0, module.Counters.Retries);
    }

    private static List<PlcModuleEvent> Drain(PlcModule module)
    {
        var list = new List<PlcModuleEvent>();
        while (module.Events.TryRead(out var e)) list.Add(e);
        return list;
    }
}
