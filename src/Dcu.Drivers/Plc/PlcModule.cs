using System.Threading.Channels;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Plc;

/// <summary>
/// Driver of a local communication module (PLC carrier module) speaking Q/GDW 1376.2 over an
/// <see cref="IByteLink"/> (the module's UART). One read loop owns the received bytes: it frames
/// them, matches answers to requests by sequence number (R6) and AFN/Fn, confirms module-initiated
/// frames (AFN 06 with AFN 00 F1; AFN 14 with its answer) and publishes them on <see cref="Events"/>.
/// </summary>
/// <remarks>
/// <para>Start-up (<see cref="StartAsync"/>): open the link, AFN 01 F1/F2 as configured, AFN 03 F1
/// (vendor/version), AFN 03 F4 and AFN 05 F1 when the main node address differs from the DCU's,
/// AFN 12 F2 (pause router-led reading), AFN 03 F10 (run mode).</para>
/// <para>Relays (<see cref="ForwardAsync"/>) run through AFN 13 F1 with at most
/// <see cref="PlcModuleOptions.MaxConcurrent"/> in flight, PLC-sized timeouts and retries with backoff.</para>
/// <para>Module resets are detected from an unsolicited AFN 03 F10 (modules announce their run mode
/// after power-up) and from denies that say a node of the synced archive is unknown; in-flight
/// requests then fail with <see cref="PlcModuleResetException"/>, the main node address is checked
/// and the last archive re-synced in the background.</para>
/// </remarks>
public sealed partial class PlcModule : IAsyncDisposable
{
    private readonly IByteLink _link;
    private readonly bool _ownsLink;
    private readonly PlcModuleOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _pendingLock = new();
    private readonly Dictionary<byte, PendingRequest> _pending = [];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _commandGate = new(1, 1);
    private readonly SemaphoreSlim _forwardGate;
    private readonly Channel<PlcModuleEvent> _events = Channel.CreateBounded<PlcModuleEvent>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = false });
    private readonly CancellationTokenSource _stopping = new();
    private byte _nextSequence;
    private Task _readLoop = Task.CompletedTask;
    private Task _maintenanceLoop = Task.CompletedTask;
    private int _started;
    private volatile bool _running;
    private TimeSpan _forwardTimeout;

    public PlcModule(IByteLink link, PlcModuleOptions options, ILogger<PlcModule>? logger = null, bool ownsLink = true)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _link = link;
        _ownsLink = ownsLink;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = options.TimeProvider;
        _forwardGate = new SemaphoreSlim(options.MaxConcurrent, options.MaxConcurrent);
        _forwardTimeout = options.ForwardTimeout;
    }

    public string Name => _link.Name;

    public PlcModuleCounters Counters { get; } = new();

    /// <summary>Module reports and driver conclusions, oldest dropped beyond 256 unread.</summary>
    public ChannelReader<PlcModuleEvent> Events => _events.Reader;

    /// <summary>AFN 03 F1 as read at start-up (null when the module did not tell).</summary>
    public PlcModuleInfo? Info { get; private set; }

    /// <summary>AFN 03 F10 as read at start-up or reported after a reset.</summary>
    public PlcRunMode? RunMode { get; private set; }

    /// <summary>The main node address the module has, after start-up equal to the DCU's.</summary>
    public PlcAddress? MainNodeAddress { get; private set; }

    /// <summary>Relay timeout in use: the configured one, raised to the module's slave-monitor timeout when that is larger.</summary>
    public TimeSpan ForwardTimeout => _forwardTimeout;

    public PlcModuleOptions Options => _options;

    /// <summary>Opens the link, starts the read loop and runs the start-up sequence.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException($"{Name}: already started");
        await _link.OpenAsync(cancellationToken).ConfigureAwait(false);
        _readLoop = Task.Run(() => ReadLoopAsync(_stopping.Token), CancellationToken.None);
        _maintenanceLoop = Task.Run(() => MaintenanceLoopAsync(_stopping.Token), CancellationToken.None);

        switch (_options.StartupInit)
        {
            case PlcStartupInit.Hardware:
                await CommandAsync(Q13762Afn.Initialise, Q13762Fn.F1, default, cancellationToken).ConfigureAwait(false);
                break;
            case PlcStartupInit.Parameters:
                await CommandAsync(Q13762Afn.Initialise, Q13762Fn.F2, default, cancellationToken).ConfigureAwait(false);
                break;
        }
        if (_options.StartupInit != PlcStartupInit.None && _options.AfterInitDelay > TimeSpan.Zero)
            await Task.Delay(_options.AfterInitDelay, _time, cancellationToken).ConfigureAwait(false);

        try
        {
            Info = await ReadModuleInfoAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("PLC {Link}: module vendor {Vendor} chip {Chip} version {Version} ({Date})",
                Name, Info.VendorCode, Info.ChipCode, Info.Version, Info.VersionDate);
        }
        catch (Exception ex) when (ex is TimeoutException or MeterProtocolException)
        {
            _logger.LogWarning("PLC {Link}: module info (AFN 03 F1) not available: {Message}", Name, ex.Message);
        }

        await EnsureMainNodeAsync(cancellationToken).ConfigureAwait(false);

        if (_options.PauseRouterOnStart)
            await TryCommandAsync(Q13762Afn.RouteControl, Q13762Fn.F2, "pause router (AFN 12 F2)", cancellationToken).ConfigureAwait(false);

        if (_options.ReadRunMode)
        {
            try
            {
                var reply = await CommandAsync(Q13762Afn.Query, Q13762Fn.F10, default, cancellationToken).ConfigureAwait(false);
                if (Q13762Data.TryParseRunMode(reply.Data.Span, out var mode)) ApplyRunMode(mode!);
            }
            catch (Exception ex) when (ex is TimeoutException or MeterProtocolException)
            {
                _logger.LogInformation("PLC {Link}: run mode (AFN 03 F10) not available: {Message}", Name, ex.Message);
            }
        }
        _running = true;
    }

    /// <summary>AFN 03 F1: vendor code, chip code, version date and version.</summary>
    public async Task<PlcModuleInfo> ReadModuleInfoAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync(Q13762Afn.Query, Q13762Fn.F1, default, cancellationToken).ConfigureAwait(false);
        return Q13762Data.TryParseModuleInfo(reply.Data.Span, out var info)
            ? info!
            : throw new MeterProtocolException("bad_data", $"PLC {Name}: AFN 03 F1 answer has {reply.Data.Length} bytes, expected 9");
    }

    /// <summary>AFN 03 F4: the module's main node address.</summary>
    public async Task<PlcAddress> ReadMainNodeAddressAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync(Q13762Afn.Query, Q13762Fn.F4, default, cancellationToken).ConfigureAwait(false);
        if (reply.Data.Length < PlcAddress.Length)
            throw new MeterProtocolException("bad_data", $"PLC {Name}: AFN 03 F4 answer has {reply.Data.Length} bytes, expected 6");
        return PlcAddress.Read(reply.Data.Span);
    }

    /// <summary>AFN 05 F1: sets the module's main node address.</summary>
    public Task SetMainNodeAddressAsync(PlcAddress address, CancellationToken cancellationToken) =>
        CommandAsync(Q13762Afn.Control, Q13762Fn.F1, address.ToBytes(), cancellationToken);

    /// <summary>AFN 12 F1 restart, F2 pause, F3 resume of the module's own reading.</summary>
    public Task RouteControlAsync(int fn, CancellationToken cancellationToken) =>
        CommandAsync(Q13762Afn.RouteControl, new Q13762Fn(fn), default, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _running = false;
        await _stopping.CancelAsync().ConfigureAwait(false);
        FailPending(new OperationCanceledException($"PLC {Name} stopped"));
        try { await Task.WhenAll(_readLoop, _maintenanceLoop).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        if (_ownsLink) await _link.DisposeAsync().ConfigureAwait(false);
        _events.Writer.TryComplete();
        _stopping.Dispose();
        _writeGate.Dispose();
        _commandGate.Dispose();
        _forwardGate.Dispose();
    }

    private async Task EnsureMainNodeAsync(CancellationToken cancellationToken)
    {
        var current = await ReadMainNodeAddressAsync(cancellationToken).ConfigureAwait(false);
        if (current != _options.MainNodeAddress)
        {
            _logger.LogInformation("PLC {Link}: main node address {Current} differs from the DCU's {Wanted}; setting it",
                Name, current, _options.MainNodeAddress);
            await SetMainNodeAddressAsync(_options.MainNodeAddress, cancellationToken).ConfigureAwait(false);
            current = await ReadMainNodeAddressAsync(cancellationToken).ConfigureAwait(false);
            if (current != _options.MainNodeAddress)
                throw new MeterProtocolException("main_node", $"PLC {Name}: main node address reads {current} after setting {_options.MainNodeAddress}");
        }
        MainNodeAddress = current;
    }

    private void ApplyRunMode(PlcRunMode mode)
    {
        RunMode = mode;
        if (mode.SlaveMonitorTimeout > _forwardTimeout)
        {
            _logger.LogInformation("PLC {Link}: module slave-monitor timeout {Timeout}s exceeds the configured relay timeout; using it",
                Name, mode.SlaveMonitorTimeout.TotalSeconds);
            _forwardTimeout = mode.SlaveMonitorTimeout;
        }
    }

    private async Task TryCommandAsync(Q13762Afn afn, Q13762Fn fn, string what, CancellationToken cancellationToken)
    {
        try
        {
            await CommandAsync(afn, fn, default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or MeterProtocolException)
        {
            _logger.LogWarning("PLC {Link}: {What} failed: {Message}", Name, what, ex.Message);
        }
    }

    private void Publish(PlcModuleEvent e) => _events.Writer.TryWrite(e);

    private sealed class PendingRequest(Q13762Afn afn, Q13762Fn fn)
    {
        public Q13762Afn Afn { get; } = afn;

        public Q13762Fn Fn { get; } = fn;

        public TaskCompletionSource<Q13762Message> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Accepts(Q13762Message answer) =>
            answer.Afn == Q13762Afn.Confirm || (answer.Afn == Afn && answer.Fn == Fn);
    }
}
