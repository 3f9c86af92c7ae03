using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// Relay and clock of one DL/T 645-2007 meter over any <see cref="IDlt645Exchange"/>: the relay by
/// the control command 1CH (password, operator code, N1 command, N2 reserved, N3..N8 deadline) and
/// running status word 3 (04000503) for the read-back; the clock by reading 04000101 (YYMMDDWW) and
/// 04000102 (hhmmss) and writing them with 14H. Meters keep local time: <see cref="MeterUtcOffset"/>
/// converts both ways. Passwords never reach a log line.
/// </summary>
public sealed class Dlt645MeterControl
{
    private readonly IDlt645Exchange _exchange;
    private readonly Dlt645ControlSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public Dlt645MeterControl(IDlt645Exchange exchange, Dlt645ControlSettings settings, TimeSpan meterUtcOffset, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Dlt645FrozenCatchUp.ValidateOffset(meterUtcOffset, nameof(meterUtcOffset));
        _exchange = exchange;
        _settings = settings;
        MeterUtcOffset = meterUtcOffset;
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
    }

    public TimeSpan MeterUtcOffset { get; }

    /// <summary>True when a relay password is configured: without it no 1CH can be sent.</summary>
    public bool CanSwitchRelay => _settings.RelayPassword is not null;

    /// <summary>True when a password for writing the clock is configured (reading needs none).</summary>
    public bool CanSetClock => _settings.EffectiveClockPassword is not null;

    public async Task<RelayState> ReadRelayAsync(Dlt645Address address, CancellationToken cancellationToken) =>
        (await ReadStatus3Async(address, cancellationToken).ConfigureAwait(false)).ToRelayState();

    public async Task<Dlt645RunningStatus3> ReadStatus3Async(Dlt645Address address, CancellationToken cancellationToken)
    {
        var data = await _exchange.ReadAsync(address, Dlt645DataId.RunningStatus3, cancellationToken).ConfigureAwait(false);
        return (Dlt645RunningStatus3)Decode(address, Dlt645DataId.RunningStatus3, () => Dlt645Values.DecodeStatusWord(data));
    }

    /// <summary>
    /// Sends 1CH: trip (1AH) for disconnect, <see cref="Dlt645ControlSettings.ConnectCommand"/> for
    /// connect. A refusal (DCH) throws <see cref="Dlt645MeterException"/> whose message says why in words.
    /// </summary>
    public async Task SetRelayAsync(Dlt645Address address, RelayAction action, CancellationToken cancellationToken)
    {
        var password = _settings.RelayPassword ?? throw new InvalidOperationException($"Meter {address}: no relay password is configured");
        var command = action == RelayAction.Disconnect ? Dlt645RelayCommand.Trip : _settings.ConnectCommand;
        var deadline = MeterLocal(_time.GetUtcNow() + _settings.CommandValidity);
        var data = Dlt645Frame.RelayControlData(command, password, _settings.OperatorCode, deadline);
        var reply = await _exchange.RequestAsync(address, Dlt645Function.Control, data, cancellationToken).ConfigureAwait(false);
        if (reply.IsAbnormal) throw Refused(address, Dlt645Function.Control, null, reply.ErrorWord, $"relay {command}");
        _logger.LogInformation("DL/T 645 meter {Address}: relay {Command} accepted", address, command);
    }

    /// <summary>The meter's clock (local time + <see cref="MeterUtcOffset"/>) as UTC.</summary>
    public async Task<DateTimeOffset> ReadClockAsync(Dlt645Address address, CancellationToken cancellationToken)
    {
        var date = await _exchange.ReadAsync(address, Dlt645DataId.Date, cancellationToken).ConfigureAwait(false);
        var time = await _exchange.ReadAsync(address, Dlt645DataId.Time, cancellationToken).ConfigureAwait(false);
        var local = Decode(address, Dlt645DataId.Time, () => Dlt645Values.DecodeDateTime(date, time));
        return new DateTimeOffset(local, MeterUtcOffset).ToUniversalTime();
    }

    /// <summary>
    /// Writes date (04000101) then time (04000102) with 14H. The time written is <paramref name="utc"/>
    /// advanced by what the date write took; when that crosses local midnight the date is written again,
    /// so the two halves never disagree by a day.
    /// </summary>
    public async Task SetClockAsync(Dlt645Address address, DateTimeOffset utc, CancellationToken cancellationToken)
    {
        var password = _settings.EffectiveClockPassword ?? throw new InvalidOperationException($"Meter {address}: no clock password is configured");
        var started = _time.GetTimestamp();
        var dateWritten = MeterLocal(utc);
        await WriteAsync(address, Dlt645DataId.Date, password, EncodeDate(dateWritten), cancellationToken).ConfigureAwait(false);
        var timeWritten = MeterLocal(utc + _time.GetElapsedTime(started));
        await WriteAsync(address, Dlt645DataId.Time, password, EncodeTime(timeWritten), cancellationToken).ConfigureAwait(false);
        if (timeWritten.Date != dateWritten.Date)
            await WriteAsync(address, Dlt645DataId.Date, password, EncodeDate(MeterLocal(utc + _time.GetElapsedTime(started))), cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("DL/T 645 meter {Address}: clock set to {Local:yyyy-MM-dd HH:mm:ss} meter local time", address, timeWritten);
    }

    /// <summary>The 08H broadcast frame setting every meter to <paramref name="utc"/> in their local time.</summary>
    public static byte[] BroadcastTimeFrame(DateTimeOffset utc, TimeSpan meterUtcOffset, int preambleLength = 0) =>
        Dlt645Frame.BroadcastTime(DateTime.SpecifyKind(utc.UtcDateTime + meterUtcOffset, DateTimeKind.Unspecified), preambleLength);

    private async Task WriteAsync(Dlt645Address address, Dlt645DataId dataId, Dlt645Password password, byte[] value, CancellationToken cancellationToken)
    {
        var reply = await _exchange.RequestAsync(address, Dlt645Function.WriteData, Dlt645Frame.WriteDataData(dataId, password, _settings.OperatorCode, value), cancellationToken).ConfigureAwait(false);
        if (reply.IsAbnormal) throw Refused(address, Dlt645Function.WriteData, dataId, reply.ErrorWord, $"write {(uint)dataId:X8}");
    }

    private Dlt645MeterException Refused(Dlt645Address address, Dlt645Function function, Dlt645DataId? dataId, Dlt645ErrorWord word, string what)
    {
        _logger.LogWarning("DL/T 645 meter {Address}: {What} refused, error word {Word:X2}: {Meaning}", address, what, (byte)word, word.Describe());
        return new Dlt645MeterException(address, function, dataId, word);
    }

    private DateTime MeterLocal(DateTimeOffset utc) => DateTime.SpecifyKind(utc.UtcDateTime + MeterUtcOffset, DateTimeKind.Unspecified);

    private static byte[] EncodeDate(DateTime local)
    {
        var bytes = new byte[4];
        Dlt645Values.EncodeDate(bytes, local);
        return bytes;
    }

    private static byte[] EncodeTime(DateTime local)
    {
        var bytes = new byte[3];
        Dlt645Values.EncodeTime(bytes, local);
        return bytes;
    }

    private static T Decode<T>(Dlt645Address address, Dlt645DataId dataId, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (FormatException ex)
        {
            throw new MeterProtocolException("dlt645_bad_value", $"Meter {address} {(uint)dataId:X8}: {ex.Message}", ex);
        }
    }
}
