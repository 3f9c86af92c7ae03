using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// Watches a 3G/4G modem over its AT command port, for the heartbeat's signal. It only monitors: the
/// data connection (PPP, QMI, MBIM) belongs to the operating system (pppd, ModemManager) on another
/// port. At start it sends <c>ATE0</c> and <c>AT+CMEE=1</c> and reads IMEI, ICCID and operator once;
/// then every <see cref="CellularModemOptions.PollInterval"/> it asks <c>AT+CSQ</c>,
/// <c>AT+CEREG?</c>/<c>AT+CREG?</c> (those the modem answers) and <c>AT+CPIN?</c>.
/// </summary>
/// <remarks>
/// A modem that stops answering (or a port that vanishes) is logged once, counted, and tried again at
/// every poll (the serial link reopens its port); the signal then turns stale after
/// <see cref="CellularModemOptions.StaleAfterPolls"/> polls. Registration lost and regained are logged
/// once per change, from polls and from +CREG/+CEREG URCs alike. Nothing here ever ends the DCU:
/// <see cref="RunAsync"/> returns only when its token is cancelled.
/// </remarks>
public sealed partial class CellularModem : ILinkSignal, IAsyncDisposable
{
    private readonly AtChannel _channel;
    private readonly CellularModemOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<RegistrationDomain, NetworkRegistration> _registrations = [];
    private bool _open;
    private bool _initialised;
    private bool? _answering;
    private int _failuresInARow;
    private string? _imei;
    private string? _iccid;
    private string? _operator;
    private AccessTechnology? _operatorTechnology;
    private bool _operatorStale = true;
    private SimState _sim = SimState.Unknown;
    private SignalQuality? _signal;
    private long? _signalAt;
    private DateTimeOffset? _lastPollUtc;
    private bool? _registered;
    private string? _lastError;
    private long _polls, _failedPolls, _timeouts, _portErrors, _errorReplies, _badResponses;

    /// <param name="link">The AT command port (a <c>SerialByteLink</c>, or a simulated modem); owned and disposed by the modem.</param>
    public CellularModem(IByteLink link, CellularModemOptions options, TimeProvider timeProvider, ILogger<CellularModem>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _channel = new AtChannel(link, timeProvider, _logger, OnUnsolicited);
    }

    public string Port => _channel.Name;

    /// <summary>
    /// The last signal, or null when it is unknown: before the first poll, when the last signal read
    /// is older than <see cref="CellularModemOptions.StaleAfterPolls"/> intervals, without a ready SIM,
    /// when not registered, or when the modem reports rssi 99.
    /// </summary>
    public LinkSignal? Read()
    {
        lock (_gate)
        {
            if (_signal?.Dbm is not { } dbm || _signalAt is not { } last) return null;
            if (_time.GetElapsedTime(last) > _options.PollInterval * _options.StaleAfterPolls) return null;
            if (_sim is not (SimState.Ready or SimState.Unknown)) return null;
            if (CurrentRegistration() is not { IsRegistered: true }) return null;
            return new LinkSignal(dbm, _signal.QualityPercent);
        }
    }

    public CellularModemSnapshot Snapshot()
    {
        lock (_gate)
        {
            var registration = CurrentRegistration();
            return new CellularModemSnapshot(Port, _answering, _imei, _iccid is null ? null : ModemIdentity.Tail(_iccid), _operator, _sim,
                registration?.State, registration?.Technology ?? _operatorTechnology, _signal?.Rssi, _signal?.Dbm, _signal?.QualityPercent,
                _lastPollUtc, _lastError, _polls, _failedPolls, _timeouts, _portErrors, _errorReplies, _badResponses,
                _channel.BadLines, _channel.UnsolicitedLines);
        }
    }

    /// <summary>Polls now and then every interval until <paramref name="cancellationToken"/> is cancelled; nothing else ends it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.PollInterval, _time);
            do
            {
                try
                {
                    await PollAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _logger.LogError(ex, "Cellular modem on {Port}: poll failed unexpectedly; trying again in {Interval}", Port, _options.PollInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    /// <summary>
    /// One round: (re)initialise when needed, then signal, registration and SIM. A timeout or a port
    /// failure ends the round and is counted; it throws only for <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_open)
            {
                await _channel.OpenAsync(cancellationToken).ConfigureAwait(false);
                _open = true;
            }
            if (!_initialised) await InitialiseAsync(cancellationToken).ConfigureAwait(false);
            await PollSignalAsync(cancellationToken).ConfigureAwait(false);
            await PollRegistrationAsync(cancellationToken).ConfigureAwait(false);
            await PollSimAsync(cancellationToken).ConfigureAwait(false);
            if (_operatorStale) await ReadOperatorAsync(cancellationToken).ConfigureAwait(false);
            Answered();
        }
        catch (TimeoutException ex)
        {
            Interlocked.Increment(ref _timeouts);
            Failed(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            Interlocked.Increment(ref _portErrors);
            Failed(ex.Message);
        }
    }

    private void Answered()
    {
        int failures;
        bool? before;
        lock (_gate)
        {
            before = _answering;
            failures = _failuresInARow;
            _answering = true;
            _failuresInARow = 0;
            _lastPollUtc = _time.GetUtcNow();
            _polls++;
        }
        if (before == false) _logger.LogInformation("Cellular modem on {Port} answers again (after {Failures} failed polls)", Port, failures);
    }

    private void Failed(string error)
    {
        bool? before;
        lock (_gate)
        {
            before = _answering;
            _answering = false;
            _failuresInARow++;
            _failedPolls++;
            _lastError = error;
        }
        // It may have been reset or swapped: echo back on, CMEE lost. Start over at the next poll.
        _initialised = false;
        if (before != false)
            _logger.LogWarning("Cellular modem on {Port} does not answer: {Error}; its signal is reported unknown until it does (tried every {Interval}, logged once)",
                Port, error, _options.PollInterval);
    }

    /// <summary>URCs arrive on the channel's reader loop: registration changes are taken at once.</summary>
    private void OnUnsolicited(string line)
    {
        if (NetworkRegistration.TryParse(line, out var registration, out _)) SetRegistration(registration);
        else if (SimStates.TryParse(line, out var sim, out _)) SetSim(sim);
        else _logger.LogDebug("Cellular modem on {Port}: URC {Urc}", Port, line);
    }

    /// <summary>The registration that counts: a registered one (LTE first), else what LTE or CS report.</summary>
    private NetworkRegistration? CurrentRegistration()
    {
        RegistrationDomain[] order = [RegistrationDomain.Eps, RegistrationDomain.CircuitSwitched, RegistrationDomain.Gprs];
        foreach (var d in order)
            if (_registrations.TryGetValue(d, out var r) && r.IsRegistered) return r;
        foreach (var d in order)
            if (_registrations.TryGetValue(d, out var r)) return r;
        return null;
    }

    private void SetRegistration(NetworkRegistration registration)
    {
        bool? before;
        NetworkRegistration current;
        string? op;
        AccessTechnology? technology;
        lock (_gate)
        {
            _registrations[registration.Domain] = registration;
            current = CurrentRegistration()!;
            before = _registered;
            _registered = current.IsRegistered;
            if (before == _registered) return;
            if (current.IsRegistered && before == false) _operatorStale = true; // regained: maybe with another operator
            op = _operator;
            technology = current.Technology ?? _operatorTechnology;
        }
        if (current.IsRegistered)
            _logger.LogInformation("Cellular modem on {Port}: registered ({State}, {Technology})", Port, current.State, technology?.ToString() ?? "technology not reported");
        else if (before is null)
            _logger.LogWarning("Cellular modem on {Port}: not registered ({State})", Port, current.State);
        else
            _logger.LogWarning("Cellular modem on {Port}: registration lost ({State}; was on {Operator})", Port, current.State, op ?? "an unknown operator");
    }

    private void SetSim(SimState sim)
    {
        SimState before;
        lock (_gate)
        {
            before = _sim;
            _sim = sim;
        }
        if (before == sim) return;
        if (sim == SimState.Ready)
        {
            if (before == SimState.Unknown) return; // the first answer: the start-up log says enough
            // A SIM that comes back may be another one.
            lock (_gate) _iccid = null;
            _logger.LogInformation("Cellular modem on {Port}: SIM ready", Port);
        }
        else
        {
            _logger.LogWarning("Cellular modem on {Port}: SIM {State}; no signal is reported without a ready SIM", Port, sim);
        }
    }
}
