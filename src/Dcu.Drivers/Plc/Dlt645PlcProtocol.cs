using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;

namespace Dcu.Drivers.Plc;

/// <summary>
/// DL/T 645-2007 relayed through the PLC module: the same request frames and value decoding as
/// on RS485 (<see cref="Dlt645ReadExchange"/>), classified into the reasons the PLC reader counts.
/// Missed intervals are read back from the meters' daily frozen data with the same walk as on
/// RS485 (<see cref="Dlt645FrozenCatchUp"/>, configured by <see cref="CatchUp"/>), each DI relayed.
/// </summary>
public sealed class Dlt645PlcProtocol : IPlcMeterProtocol, IPlcPastIntervalProtocol, IPlcMeterControlProtocol
{
    /// <summary>Passwords and close command for relay (1CH) and clock (14H) control relayed to the meters (default: none, so no relay switching).</summary>
    public Dlt645ControlSettings Control { get; init; } = new();

    /// <summary>The meters' clock offset from UTC, for reading and setting their clocks (meter local time). Default 0.</summary>
    public TimeSpan MeterUtcOffset
    {
        get;
        init
        {
            Dlt645FrozenCatchUp.ValidateOffset(value, nameof(MeterUtcOffset));
            field = value;
        }
    }

    /// <summary>UTC now, for the 1CH deadline and the clock write.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public bool SupportsRelay(Meter meter) => Control.RelayPassword is not null;

    public bool SupportsClock(Meter meter) => true;

    public Task<RelayState> ReadRelayAsync(Meter meter, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken) =>
        MeterControl(relay).ReadRelayAsync(AddressOf(meter), cancellationToken);

    public Task SetRelayAsync(Meter meter, RelayAction action, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken) =>
        MeterControl(relay).SetRelayAsync(AddressOf(meter), action, cancellationToken);

    public Task<DateTimeOffset> ReadClockAsync(Meter meter, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken) =>
        MeterControl(relay).ReadClockAsync(AddressOf(meter), cancellationToken);

    public Task SetClockAsync(Meter meter, DateTimeOffset utc, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken) =>
        MeterControl(relay).SetClockAsync(AddressOf(meter), utc, cancellationToken);

    /// <summary>The 08H broadcast time (no FE preamble: the module adds what the power line needs).</summary>
    public byte[]? BuildBroadcastTime(DateTimeOffset utc) => Dlt645MeterControl.BroadcastTimeFrame(utc, MeterUtcOffset);

    private Dlt645MeterControl MeterControl(Func<byte[], CancellationToken, Task<byte[]>> relay) =>
        new(new RelayedExchange(relay), Control, MeterUtcOffset, TimeProvider);

    private static Dlt645Address AddressOf(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        return Dlt645Address.Parse(meter.Address);
    }

    /// <summary>DL/T 645 requests relayed through the module: frames built without preamble, replies checked like on RS485.</summary>
    private sealed class RelayedExchange(Func<byte[], CancellationToken, Task<byte[]>> relay) : IDlt645Exchange
    {
        public async Task<byte[]> ReadAsync(Dlt645Address address, Dlt645DataId dataId, CancellationToken cancellationToken) =>
            DecodeData(await relay(Dlt645Frame.ReadData(address, dataId), cancellationToken).ConfigureAwait(false), address.ToString(), dataId);

        public async Task<Dlt645Reply> RequestAsync(Dlt645Address address, Dlt645Function function, byte[] data, CancellationToken cancellationToken)
        {
            var reply = await relay(Dlt645Frame.Build(address, Dlt645Control.Request(function), data), cancellationToken).ConfigureAwait(false);
            var status = Dlt645Frame.TryParseReply(reply, new Dlt645Request(address, function), out var parsed, out _, out var error);
            if (status == Dlt645FrameStatus.Complete) return parsed!;
            var reason = FailureReason(error);
            throw new MeterProtocolException(reason, $"DL/T 645 meter {address} {function}: reply refused ({reason}, {reply.Length} bytes)");
        }
    }

    /// <summary>
    /// Catch-up of missed intervals from daily frozen data (meter UTC offset, freezes walked, clock
    /// check). Null (default): off, <see cref="CanReadPastIntervals"/> is false, because a wrong
    /// <see cref="Dlt645FrozenCatchUp.MeterUtcOffset"/> only yields failed catch-ups; set it with the meters' offset to turn it on.
    /// </summary>
    public Dlt645FrozenCatchUp? CatchUp { get; init; }

    public PlcProtocolType ProtocolType => PlcProtocolType.Dlt645_2007;

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => Dlt645DataIdentifiers.Quantities;

    public byte[] BuildRead(string meterAddress, ObisCode quantity) =>
        Dlt645ReadExchange.TryGetItem(quantity, out var item)
            ? Dlt645ReadExchange.BuildRequest(Dlt645Address.Parse(meterAddress), item)
            : throw new ArgumentException($"DL/T 645 has no data identifier for {quantity}", nameof(quantity));

    public bool TryDecode(ReadOnlySpan<byte> reply, string meterAddress, ObisCode quantity, out MeterValue value, out string failureReason)
    {
        value = default;
        if (!Dlt645ReadExchange.TryGetItem(quantity, out var item)) { failureReason = "wrong_di"; return false; }
        var address = Dlt645Address.Parse(meterAddress);
        var status = Dlt645Frame.TryParseReply(reply, Dlt645Request.Read(address, item.Id), out var parsed, out _, out var error);
        if (status != Dlt645FrameStatus.Complete)
        {
            failureReason = FailureReason(error);
            return false;
        }
        if (parsed!.IsAbnormal)
        {
            failureReason = (parsed.ErrorWord & Dlt645ErrorWord.NoRequestedData) != 0 ? "no_data" : "error_reply";
            return false;
        }
        try
        {
            value = Dlt645ReadExchange.DecodeValue(address, item, parsed.Data);
            failureReason = "";
            return true;
        }
        catch (MeterProtocolException)
        {
            failureReason = "frame";
            return false;
        }
    }

    /// <summary>The read request (11H) for one data identifier of the meter at <paramref name="meterAddress"/>.</summary>
    public static byte[] BuildReadData(string meterAddress, Dlt645DataId dataId) =>
        Dlt645Frame.ReadData(Dlt645Address.Parse(meterAddress), dataId);

    /// <summary>
    /// The data bytes of the meter's reply to <see cref="BuildReadData"/>. An abnormal reply throws
    /// <see cref="Dlt645MeterException"/> (its error word); an unusable frame
    /// <see cref="MeterProtocolException"/> with the same reasons as <see cref="TryDecode"/>.
    /// Follow-up frames are not requested (the frozen energy blocks fit one frame).
    /// </summary>
    public static byte[] DecodeData(ReadOnlySpan<byte> reply, string meterAddress, Dlt645DataId dataId)
    {
        var address = Dlt645Address.Parse(meterAddress);
        var status = Dlt645Frame.TryParseReply(reply, Dlt645Request.Read(address, dataId), out var parsed, out _, out var error);
        if (status != Dlt645FrameStatus.Complete)
        {
            var reason = FailureReason(error);
            throw new MeterProtocolException(reason, $"DL/T 645 meter {address} {(uint)dataId:X8}: reply refused ({reason}): {Convert.ToHexString(reply)}");
        }
        if (parsed!.IsAbnormal) throw new Dlt645MeterException(parsed.Address, parsed.Function, dataId, parsed.ErrorWord);
        return parsed.Data;
    }

    /// <summary>True when <see cref="CatchUp"/> is set: DL/T 645-2007 meters keep daily frozen energy.</summary>
    public bool CanReadPastIntervals(Meter meter) => CatchUp is not null;

    /// <summary>The daily freeze at <paramref name="intervalUnixMs"/> (<see cref="Dlt645FrozenCatchUp"/>), each DI relayed through <paramref name="relay"/>.</summary>
    public Task<IReadOnlyList<MeterValue>> ReadIntervalAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs,
        Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(relay);
        if (CatchUp is null) throw new NotSupportedException($"DL/T 645 over PLC: catch-up is off (no {nameof(CatchUp)} options), meter {meter.Id}");
        var address = Dlt645Address.Parse(meter.Address);
        return CatchUp.ReadIntervalAsync(meter, address, quantities, intervalUnixMs,
            async (dataId, ct) => DecodeData(await relay(BuildReadData(meter.Address, dataId), ct).ConfigureAwait(false), meter.Address, dataId),
            cancellationToken);
    }

    private static string FailureReason(Dlt645FrameError error) => error switch
    {
        Dlt645FrameError.WrongAddress => "wrong_address",
        Dlt645FrameError.BadChecksum => "checksum",
        Dlt645FrameError.MismatchedIdentifier => "wrong_di",
        _ => "frame",
    };
}
