using Dcu.Core.Abstractions;
using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Core.Commands;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Events;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;
using Dcu.Drivers.Board;
using Dcu.Drivers.Cellular;
using Dcu.Drivers.Links;
using Dcu.Drivers.Mqtt;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Profiles;
using Dcu.Host.Commands;
using Dcu.Host.Configuration;
using Dcu.Host.Technician;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// The concentrator as one hosted service: it builds the pipeline in data-flow order
/// (bus -> worker -> outbox -> publisher -> MQTT), starts it in <see cref="StartAsync"/> so that
/// systemd's READY=1 comes after the outbox is open and the buses are up, and stops it the other way
/// round, flushing the outbox last.
/// </summary>
public sealed class DcuRuntime(
    DcuSettings settings,
    IReadOnlyDictionary<string, MeterProfile> profiles,
    RunMode mode,
    TimeProvider time,
    ILoggerFactory loggers,
    IHostApplicationLifetime lifetime,
    ISystemdNotifier? systemd = null,
    RemoteConfiguration? remoteConfiguration = null,
    PersistedCollection? persisted = null) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger("Dcu");
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private Task[] _pipeline = [];
    private readonly List<MeterBus> _buses = [];
    private EmbeddedBroker? _broker;
    private MqttUplink? _uplink;
    private CommandLedger? _ledger;
    private DcuEventWatchers? _watchers;
    private CellularModem? _modem;
    private GpioStatusLeds? _leds;

    public ReadingOutbox? Outbox { get; private set; }

    public CollectionScheduler? Scheduler { get; private set; }

    public UplinkPublisher? Publisher { get; private set; }

    public CollectionQuality? Quality { get; private set; }

    /// <summary>The meter archive, changeable at runtime (meters.* commands).</summary>
    public MeterArchive? Archive { get; private set; }

    /// <summary>The collection tasks, changeable at runtime (tasks.* commands).</summary>
    public TaskBook? TaskBook { get; private set; }

    /// <summary>The handlers of read, tasks.* and meters.*, for the command dispatcher.</summary>
    public IReadOnlyList<ICommandHandler> CollectionHandlers { get; private set; } = [];

    public MqttUplink? Uplink => _uplink;

    public CommandDispatcher? Commands { get; private set; }

    /// <summary>The commands of the technician console, over the same handlers as <see cref="Commands"/> (built whether or not the console is on).</summary>
    public ConsoleCommands? ConsoleCommands { get; private set; }

    /// <summary>Where the command ledger (ids seen, for de-duplication across restarts) is kept.</summary>
    public string CommandLedgerPath => Path.Combine(settings.Dcu.DataDirectory, "command-ledger.jsonl");

    public IReadOnlyList<MeterBus> Buses => _buses;

    /// <summary>The cellular modem watched for the heartbeat's signal, when Cellular:Enabled.</summary>
    public CellularModem? Modem => _modem;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var topics = new Topics(settings.Dcu.Id);
        Directory.CreateDirectory(settings.Dcu.DataDirectory);
        Outbox = new ReadingOutbox(settings.Outbox, time, loggers.CreateLogger<ReadingOutbox>());
        await Outbox.AppendAsync(new MeterEvent(null, EventKinds.DcuStarted, time.GetUtcNow().ToUnixTimeMilliseconds(), $"DCU {settings.Dcu.Id} {Version} started"), cancellationToken);
        _watchers = new DcuEventWatchers(settings, Outbox, time, loggers);

        if (mode == RunMode.Demo && !settings.MqttConfigured)
        {
            try
            {
                _broker = await EmbeddedBroker.StartAsync(settings.Mqtt.EffectivePort, loggers.CreateLogger<EmbeddedBroker>(), cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                // Typically Debian's mosquitto, started by installing the test dependencies: it can serve the demo as well.
                throw new InvalidOperationException($"{ex.Message} (to use the broker already there: DCU_Mqtt__Host=127.0.0.1; "
                    + $"for the embedded one on another port: DCU_Mqtt__Port={settings.Mqtt.EffectivePort + 1})", ex);
            }
            _log.LogInformation("Embedded MQTT broker on 127.0.0.1:{Port}; watch with: mosquitto_sub -V mqttv5 -h 127.0.0.1 -p {Port} -t 'dcu/#' -v", _broker.Port, _broker.Port);
        }

        // Connecting takes a few round trips: start it now, so it overlaps with opening the buses.
        _uplink = new MqttUplink(settings.Mqtt, loggers.CreateLogger<MqttUplink>(), time);
        _watchers.Subscribe(_uplink);
        await _uplink.StartAsync(cancellationToken);

        _buses.AddRange(new MeterBusFactory(profiles, time, loggers).Create(settings));
        var clock = new SystemClockStatus(time);
        if (!clock.IsValid)
        {
            _log.LogWarning("The system clock reads {Now:O}, before any plausible date: readings are flagged clock_invalid until it is set", time.GetUtcNow());
            await Outbox.AppendAsync(new MeterEvent(null, EventKinds.ClockInvalid, time.GetUtcNow().ToUnixTimeMilliseconds(), "system clock not set"), cancellationToken);
        }

        var tasks = settings.Collection.BuildTasks();
        Quality = new CollectionQuality(tasks, _buses.SelectMany(b => b.Meters).Select(m => m.Id), Outbox, null, time, loggers.CreateLogger<CollectionQuality>());
        // Readings go through the event rules on their way into the outbox.
        var ruled = new RuleEventsOutboxWriter(Outbox, new ReadingRules(settings.EventRules));
        var workers = new List<(MeterBus Bus, BusWorker Worker)>();
        foreach (var bus in _buses)
        {
            workers.Add((bus, new BusWorker(bus.Name, bus.Reader, bus.Meters, ruled, clock, settings.Collection, time, loggers.CreateLogger<BusWorker>(), bus.MaxConcurrency, Quality)));
            _log.LogInformation("Bus {Bus} on {Link}: {Count} meters ({Meters})", bus.Name, bus.LinkName, bus.Meters.Count,
                string.Join(", ", bus.Meters.Take(8).Select(m => $"{m.Id}@{m.Address}{(m.Profile.Length > 0 ? " " + m.Profile : "")}")) + (bus.Meters.Count > 8 ? ", ..." : ""));
        }
        Scheduler = new CollectionScheduler(settings.Collection, tasks, workers.Select(w => w.Worker), time, loggers.CreateLogger<CollectionScheduler>());
        var state = new CollectionStateFiles(settings.Dcu.DataDirectory);
        var sources = persisted ?? new PersistedCollection(null, null);
        _log.LogInformation("Meter archive from {MetersSource}; collection tasks from {TasksSource}", sources.MetersSource, sources.TasksSource);
        Archive = new MeterArchive(Scheduler, new HostMeterEntryValidator(settings.Buses, profiles),
            settings.Meters.Select(m => new MeterEntry { Id = m.Id, Bus = m.Bus, Address = m.Address, Profile = m.Profile, Turnaround = m.Turnaround }),
            state, _buses.OfType<IBusArchiveSync>(), Quality, time, loggers.CreateLogger<MeterArchive>());
        TaskBook = new TaskBook(Archive, state, loggers.CreateLogger<TaskBook>());
        CollectionHandlers = CollectionCommands.Create(Archive, TaskBook);

        Publisher = new UplinkPublisher(_uplink, Outbox, topics, settings.Publisher, time, loggers.CreateLogger<UplinkPublisher>());
        _modem = settings.Cellular.Enabled ? CreateModem() : null;
        var status = new StatusReporter(_uplink, topics, Outbox, Publisher.GetStats, BusErrors,
            new StatusReporterOptions
            {
                HeartbeatInterval = settings.Dcu.HeartbeatInterval, Version = Version, Quality = Quality.Snapshot,
                Link = new UplinkLinkProbe(settings.Dcu.UplinkLink).Probe,
                Signal = _modem, // null without a modem: the heartbeat reports the signal as null rather than a guess
            }, time, loggers.CreateLogger<StatusReporter>());

        // Commands: results go straight to the link for now (not through the outbox); security events go to the outbox.
        _ledger = CommandLedger.Open(CommandLedgerPath, settings.Commands.LedgerCapacity, time, loggers.CreateLogger<CommandLedger>());
        var results = new OutboxResultSink(Outbox, time);
        var handlers = CommandHandlers(status, clock);
        Commands = new CommandDispatcher(handlers, _ledger, results, topics.CommandPrefix, settings.Commands, Outbox, time, loggers.CreateLogger<CommandDispatcher>());
        // The console runs the dispatcher's own handler instances, plus a status of its own from the heartbeat's sources.
        ConsoleCommands = new ConsoleCommands(
            [.. handlers, new ConsoleStatusHandler(() => _uplink.IsConnected, Outbox, Publisher.GetStats, BusErrors, Quality.Snapshot, _modem is null ? null : _modem.Snapshot)],
            settings.Commands.ExecutionTimeout, time, loggers.CreateLogger<ConsoleCommands>());
        var router = new InboundRouter(_uplink, loggers.CreateLogger<InboundRouter>())
            .Route(topics.CommandPrefix, Commands.HandleAsync, isPrefix: true)
            .Route(topics.Ack, (message, _) => { Publisher.OnAck(message.Payload.Span); return Task.CompletedTask; });

        // The run marker goes down once start-up has succeeded: a start that fails is no power cut at the next start.
        await _watchers.StartAsync(cancellationToken);
        var stop = _stopping.Token;
        foreach (var (bus, worker) in workers) _loops.Add(Task.Run(() => RunBusAsync(bus, worker, stop), CancellationToken.None));
        _loops.Add(Task.Run(() => Quality.RunAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => Scheduler.RunAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => Archive.RunAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => Publisher.RunAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(async () =>
        {
            // Commands cut short by the last stop are answered once results can be sent.
            try { await _uplink.WaitConnectedAsync(stop); await Commands.ReportInterruptedAsync(stop); }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            await router.RunAsync(stop);
        }, CancellationToken.None));
        _loops.Add(Task.Run(() => status.RunAsync(stop), CancellationToken.None));
        // Catches and logs everything inside: a modem that fails never ends this loop.
        if (_modem is not null) _loops.Add(Task.Run(() => _modem.RunAsync(stop), CancellationToken.None));
        foreach (var loop in _watchers.Loops(stop)) _loops.Add(Task.Run(loop, CancellationToken.None));
        if (mode == RunMode.Demo) _loops.Add(Task.Run(() => new DemoReporter(this, settings, time).RunAsync(stop), CancellationToken.None));
        if (settings.Console.Enabled) _loops.Add(Task.Run(() => CreateTechnicianConsole().RunAsync(stop), CancellationToken.None));
        _pipeline = [.. _loops];
        // After _pipeline: the LEDs show the pipeline's health and are no part of it (they never stop the DCU).
        _leds = BoardLeds.TryOpen(settings.Board, _log);
        if (_leds is not null)
            _loops.Add(Task.Run(() => new StatusLeds(_leds, LedSnapshot, time, loggers.CreateLogger<StatusLeds>()).RunAsync(stop), CancellationToken.None));
        if (systemd is { IsEnabled: true } && SystemdWatchdog.PeriodFromEnvironment() is { } period)
            _loops.Add(Task.Run(() => new SystemdWatchdog(systemd, Problem, period, time, _log).RunAsync(stop), CancellationToken.None));
        _ = WatchLoopsAsync();
        _log.LogInformation("DCU {Id} running: {Buses} buses, {Meters} meters, {Tasks} collection tasks, uplink {Uplink}",
            settings.Dcu.Id, _buses.Count, settings.Meters.Count, settings.Collection.Tasks.Count, settings.Mqtt);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try { await Task.WhenAll(_loops).WaitAsync(cancellationToken); }
        catch (Exception ex) when (ex is not OperationCanceledException) { _log.LogError(ex, "A DCU loop failed while stopping"); }
        // Running commands may finish (and publish their results) for a short grace, while the link is still up.
        if (Commands is not null) await Commands.StopAsync(cancellationToken);
        if (Outbox is not null) await Outbox.FlushAsync(cancellationToken);
        if (_uplink is not null) await _uplink.StopAsync(cancellationToken);
        _watchers?.StopCleanly();
        _log.LogInformation("DCU stopped; outbox holds {Depth} unsent items", Outbox?.GetStats() is { } s ? s.ReadingsDepth + s.EventsDepth : 0);
    }

    /// <summary>The commands this DCU answers (docs/mqtt-contract.md lists them).</summary>
    private List<ICommandHandler> CommandHandlers(StatusReporter status, IClockStatus clock)
    {
        var remote = remoteConfiguration ?? new RemoteConfiguration(new ConfigurationLayers(null, null), new Dictionary<string, string>());
        // Settings that can be changed on the running DCU properly; the others take effect at the next start.
        var live = new Dictionary<string, Action<DcuSettings>>(StringComparer.OrdinalIgnoreCase)
        {
            ["Dcu:HeartbeatInterval"] = next => status.HeartbeatInterval = settings.Dcu.HeartbeatInterval = next.Dcu.HeartbeatInterval,
            // Read by the bus workers at each job.
            ["Collection:Retries"] = next => settings.Collection.Retries = next.Collection.Retries,
        };
        return
        [
            new ConfigGetHandler(settings, remote),
            new ConfigSetHandler(settings, remote, s => SettingsValidator.Validate(s, profiles), live, loggers.CreateLogger<ConfigSetHandler>()),
            .. CollectionHandlers,
            new ResendCommandHandler(Outbox!),
            RelayHandler.Disconnect(Scheduler!, settings.Relay, time, loggers.CreateLogger<RelayHandler>()),
            RelayHandler.Connect(Scheduler!, settings.Relay, time, loggers.CreateLogger<RelayHandler>()),
            RelayHandler.State(Scheduler!, settings.Relay, time, loggers.CreateLogger<RelayHandler>()),
            new TimeGetHandler(time, clock),
            new TimeSetHandler(new LinuxSystemClock(), time, loggers.CreateLogger<TimeSetHandler>()),
            new TimeSyncHandler(Scheduler!, () => Scheduler!.Workers.SelectMany(w => w.Meters).ToArray(), Outbox!, settings.TimeSync, time, clock, loggers.CreateLogger<TimeSyncHandler>()),
        ];
    }

    /// <summary>The console on its line; a line that cannot be opened is the console's problem (logged, retried), never the DCU's.</summary>
    private TechnicianConsole CreateTechnicianConsole()
    {
        var logger = loggers.CreateLogger<TechnicianConsole>();
        var (open, echo) = ConsoleLinks.For(settings.Console, time, logger);
        var guard = new ConsoleLoginGuard(settings.Console, Outbox!, time, loggers.CreateLogger<ConsoleLoginGuard>());
        return new TechnicianConsole(settings.Console, settings.Dcu.Id, open, echo, guard, ConsoleCommands!, time, logger);
    }

    /// <summary>The modem on its AT port, or the simulated one (demo); opened by its first poll, so a missing port is the modem's problem (logged once), never the DCU's.</summary>
    private CellularModem CreateModem()
    {
        var c = settings.Cellular;
        IByteLink link = c.Simulated
            ? new SimulatedAtModem(time, new SimulatedAtModemOptions { Rssi = 18, RssiWobble = 3 }, "sim:modem")
            : new SerialByteLink(new SerialLinkOptions { PortName = c.Port, BaudRate = c.Baud, TimeProvider = time }, loggers.CreateLogger<SerialByteLink>());
        _log.LogInformation("Cellular modem watched on {Port}, polled every {Interval}", link.Name, c.PollInterval);
        return new CellularModem(link, c.ToModemOptions(), time, loggers.CreateLogger<CellularModem>());
    }

    /// <summary>
    /// Brings the bus up (opens the port, initialises the PLC module and syncs its route table),
    /// then serves its jobs. Each bus starts on its own, so a slow PLC module or a missing USB
    /// adapter holds up neither start-up nor the other buses: its meters just go offline and say so.
    /// </summary>
    private async Task RunBusAsync(MeterBus bus, BusWorker worker, CancellationToken stop)
    {
        try
        {
            await bus.StartAsync(stop);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError("Bus {Bus}: cannot start on {Link}: {Error}; its meters go offline until it can be opened (tried again as they are polled)", bus.Name, bus.LinkName, ex.Message);
        }
        await Task.WhenAll(worker.RunAsync(stop), bus.RunEventsAsync(Outbox!, stop));
    }

    /// <summary>
    /// A loop that ends while the DCU is not stopping is a bug: stop with a non-zero exit code so
    /// systemd restarts us (a crashed BackgroundService would otherwise exit with 0).
    /// </summary>
    private async Task WatchLoopsAsync()
    {
        var ended = await Task.WhenAny(_loops);
        if (_stopping.IsCancellationRequested) return;
        _log.LogCritical(ended.Exception, "A DCU loop ended unexpectedly; stopping so the service manager restarts the DCU");
        Environment.ExitCode = 70;
        lifetime.StopApplication();
    }

    /// <summary>What keeps the DCU from doing its job, or null when it is healthy (for the watchdog and the Run LED).</summary>
    private string? Problem()
    {
        if (Array.Exists(_pipeline, l => l.IsCompleted)) return "a DCU loop has ended";
        if (Outbox is null || Outbox.Completion.IsCompleted) return "the outbox writer has stopped";
        return null;
    }

    /// <summary>What the status LEDs show: the watchdog's health, the link, and the faults a technician can act on.</summary>
    private StatusSnapshot LedSnapshot() => new(
        Problem(),
        _uplink?.IsConnected ?? false,
        Outbox?.GetStats().WriteFailing ?? false,
        Scheduler is null ? [] : StatusSnapshot.DeadBusesOf(Scheduler.Health()));

    /// <summary>Error counters per bus for the heartbeat: what a field engineer looks at first.</summary>
    private IReadOnlyDictionary<string, long> BusErrors()
    {
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var bus in _buses)
            foreach (var (name, value) in bus.ErrorCounters())
                errors[$"{bus.Name}.{name}"] = value;
        return errors;
    }

    public static string Version { get; } =
        typeof(DcuRuntime).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public async ValueTask DisposeAsync()
    {
        if (Commands is not null) await Commands.DisposeAsync();
        _ledger?.Dispose();
        if (_uplink is not null) await _uplink.DisposeAsync();
        if (Outbox is not null) await Outbox.DisposeAsync();
        foreach (var bus in _buses) await bus.DisposeAsync();
        if (_modem is not null) await _modem.DisposeAsync();
        _leds?.Dispose();
        if (_broker is not null) await _broker.DisposeAsync();
        _watchers?.Dispose();
        _stopping.Dispose();
    }
}

public enum RunMode
{
    Service,
    Demo,
}
