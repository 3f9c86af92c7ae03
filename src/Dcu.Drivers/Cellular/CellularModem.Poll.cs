using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Cellular;

/// <summary>The commands of one poll round, and how their answers become state.</summary>
public sealed partial class CellularModem
{
    /// <summary>Vendor variants for the ICCID, in the order tried; the first one answered is kept.</summary>
    private static readonly string[] IccidCommands = ["AT+CCID", "AT+ICCID", "AT+QCCID"];

    private int _iccidCommand;
    private bool? _epsSupported;
    private bool? _csSupported;
    private bool _identityLogged;
    private bool _signalRead;

    private Task<AtResponse> SendAsync(string command, CancellationToken cancellationToken) =>
        _channel.SendAsync(command, _options.CommandTimeout, cancellationToken);

    /// <summary>ATE0 (V.250 6.2.4) and AT+CMEE=1 (TS 27.007 9.1), then the identity the first time.</summary>
    private async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        // A modem that refuses even ATE0 is not ready for anything: the identity waits for the next round.
        if (!Expect(await SendAsync("ATE0", cancellationToken).ConfigureAwait(false))) return;
        // Numeric +CME ERROR codes; a modem without CMEE answers ERROR and stays with plain ERROR.
        Expect(await SendAsync("AT+CMEE=1", cancellationToken).ConfigureAwait(false));
        _initialised = true;
        if (_imei is null)
        {
            var r = await SendAsync("AT+CGSN", cancellationToken).ConfigureAwait(false);
            if (Expect(r)) Parse(r, l => ModemIdentity.TryParseImei(l, out var imei, out var e) ? (imei, e) : (null, e), v => { lock (_gate) _imei = v; });
        }
        await ReadIccidAsync(cancellationToken).ConfigureAwait(false);
        await ReadOperatorAsync(cancellationToken).ConfigureAwait(false);
        if (_identityLogged) return;
        _identityLogged = true;
        lock (_gate)
            _logger.LogInformation("Cellular modem on {Port}: IMEI {Imei}, SIM ICCID {Iccid}, operator {Operator}",
                Port, _imei ?? "unknown", _iccid is null ? "unknown" : ModemIdentity.Tail(_iccid), _operator ?? "none");
    }

    /// <summary>The ICCID until known (no SIM yet, or a SIM that came back); tries the vendor variants once each.</summary>
    private async Task ReadIccidAsync(CancellationToken cancellationToken)
    {
        while (_iccid is null && _iccidCommand < IccidCommands.Length)
        {
            var r = await SendAsync(IccidCommands[_iccidCommand], cancellationToken).ConfigureAwait(false);
            if (r.IsOk)
            {
                Parse(r, l => ModemIdentity.TryParseIccid(l, out var iccid, out var e) ? (iccid, e) : (null, e), v => { lock (_gate) _iccid = v; });
                if (_iccid is not null && _identityLogged) _logger.LogInformation("Cellular modem on {Port}: SIM ICCID {Iccid}", Port, ModemIdentity.Tail(_iccid));
                return;
            }
            if (r.Final.Code is { } code && SimStates.FromCmeError(code) is { } sim)
            {
                // The command exists, the SIM does not answer it: ask again at a later poll.
                SetSim(sim);
                return;
            }
            _iccidCommand++; // ERROR: not this vendor's command
        }
    }

    private async Task ReadOperatorAsync(CancellationToken cancellationToken)
    {
        var r = await SendAsync("AT+COPS?", cancellationToken).ConfigureAwait(false);
        if (!Expect(r)) return;
        Parse(r, l => OperatorSelection.TryParse(l, out var op, out var e) ? (op, e) : (null, e), op =>
        {
            lock (_gate)
            {
                _operator = op.Operator;
                _operatorTechnology = op.Technology;
                _operatorStale = false;
            }
        });
    }

    /// <summary>AT+CSQ, TS 27.007 8.5.</summary>
    private async Task PollSignalAsync(CancellationToken cancellationToken)
    {
        var r = await SendAsync("AT+CSQ", cancellationToken).ConfigureAwait(false);
        _signalRead = false;
        if (Expect(r)) Parse(r, l => SignalQuality.TryParse(l, out var q, out var e) ? (q, e) : (null, e), q =>
        {
            _signalRead = true;
            lock (_gate)
            {
                _signal = q;
                _signalAt = _time.GetTimestamp();
            }
        });
    }

    /// <summary>AT+CEREG? (10.1.22) and AT+CREG? (7.2), each while the modem answers it: a 4G module on 3G registers in CS only.</summary>
    private async Task PollRegistrationAsync(CancellationToken cancellationToken)
    {
        _epsSupported = await PollRegistrationAsync("AT+CEREG?", _epsSupported, cancellationToken).ConfigureAwait(false);
        _csSupported = await PollRegistrationAsync("AT+CREG?", _csSupported, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool?> PollRegistrationAsync(string command, bool? supported, CancellationToken cancellationToken)
    {
        if (supported == false) return false;
        var r = await SendAsync(command, cancellationToken).ConfigureAwait(false);
        // ERROR means "not supported" only from a modem that just answered AT+CSQ, not from one answering ERROR to everything.
        if (!r.IsOk && supported is null && _signalRead && (r.Final.Kind == AtFinalResultKind.Error || r.Final.IsCme(CmeErrorCode.OperationNotSupported)))
        {
            _logger.LogInformation("Cellular modem on {Port}: {Command} not supported; not asked again", Port, command);
            return false;
        }
        if (!Expect(r)) return supported;
        var ok = false;
        Parse(r, l => NetworkRegistration.TryParse(l, out var reg, out var e) ? (reg, e) : (null, e), reg => { ok = true; SetRegistration(reg); });
        return ok ? true : supported;
    }

    /// <summary>AT+CPIN? (8.3); without a SIM the answer is +CME ERROR 10. A SIM that turns ready has its ICCID read (again).</summary>
    private async Task PollSimAsync(CancellationToken cancellationToken)
    {
        var r = await SendAsync("AT+CPIN?", cancellationToken).ConfigureAwait(false);
        if (r.IsOk)
        {
            var error = AtFormatError.MissingField;
            if (r.Find("+CPIN") is { } line && SimStates.TryParse(line, out var state, out error)) SetSim(state);
            else BadResponse(r, error);
        }
        else if (r.Final.Code is { } code && SimStates.FromCmeError(code) is { } sim) SetSim(sim);
        else Expect(r);
        if (_sim == SimState.Ready && _iccid is null) await ReadIccidAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True for OK; otherwise counts and remembers the error answer.</summary>
    private bool Expect(AtResponse response)
    {
        if (response.IsOk) return true;
        Interlocked.Increment(ref _errorReplies);
        lock (_gate) _lastError = response.ToString();
        _logger.LogDebug("Cellular modem on {Port}: {Response}", Port, response);
        return false;
    }

    /// <summary>Applies the first information line that parses; none is a counted bad response naming the line.</summary>
    private void Parse<T>(AtResponse response, Func<string, (T? Value, AtFormatError Error)> parse, Action<T> apply) where T : class
    {
        var error = AtFormatError.MissingField;
        foreach (var line in response.Lines)
        {
            var (value, e) = parse(line);
            if (value is not null)
            {
                apply(value);
                return;
            }
            if (e != AtFormatError.MissingPrefix || error == AtFormatError.MissingField) error = e;
        }
        BadResponse(response, error);
    }

    private void BadResponse(AtResponse response, AtFormatError error)
    {
        Interlocked.Increment(ref _badResponses);
        var text = $"{response.Command}: unreadable answer ({error}): {string.Join(" | ", response.Lines)}";
        lock (_gate) _lastError = text;
        _logger.LogDebug("Cellular modem on {Port}: {Problem}", Port, text);
    }
}
