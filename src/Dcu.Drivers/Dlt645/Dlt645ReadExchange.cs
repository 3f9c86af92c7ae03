using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// The per-DI read exchange as pure functions, for transports that carry DL/T 645 frames inside
/// their own (the Q/GDW 1376.2 PLC module relays the very same bytes): build the 11H request for
/// an OBIS quantity, and turn the meter's reply frame into a <see cref="MeterValue"/>. The RS485
/// path (<see cref="Dlt645MeterReader"/>) uses the same decoding.
/// </summary>
public static class Dlt645ReadExchange
{
    /// <summary>The DI for <paramref name="obis"/>; false when DL/T 645 has no mapping here.</summary>
    public static bool TryGetItem(ObisCode obis, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Dlt645DataItem? item) =>
        Dlt645DataIdentifiers.TryGet(obis, out item);

    /// <summary>The 11H request frame for <paramref name="item"/>.</summary>
    public static byte[] BuildRequest(Dlt645Address address, Dlt645DataItem item, int preambleLength = 0)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Dlt645Frame.ReadData(address, item.Id, preambleLength);
    }

    /// <summary>
    /// Decodes one whole reply frame (FE bytes allowed; trailing bytes ignored) to
    /// <paramref name="item"/>'s value. Throws <see cref="Dlt645MeterException"/> for an abnormal reply,
    /// <see cref="MeterProtocolException"/> for a frame that is incomplete, corrupt, from another meter,
    /// for another DI, a follow-up frame (not expected for a single value) or with bad BCD.
    /// </summary>
    public static MeterValue DecodeReply(ReadOnlySpan<byte> replyFrame, Dlt645Address address, Dlt645DataItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var status = Dlt645Frame.TryParseReply(replyFrame, Dlt645Request.Read(address, item.Id), out var reply, out _, out var error);
        if (status == Dlt645FrameStatus.Incomplete)
            throw new MeterProtocolException("dlt645_incomplete", $"Meter {address} {(uint)item.Id:X8}: the reply frame is incomplete ({replyFrame.Length} bytes)");
        if (status == Dlt645FrameStatus.Error)
            throw new MeterProtocolException(error.ToReason(), $"Meter {address} {(uint)item.Id:X8}: reply rejected ({error})");
        if (reply!.IsAbnormal) throw new Dlt645MeterException(reply.Address, reply.Function, item.Id, reply.ErrorWord);
        if (reply.HasFollowUp)
            throw new MeterProtocolException("dlt645_unexpected_follow_up", $"Meter {address} {(uint)item.Id:X8}: follow-up frames for a single value");
        return DecodeValue(address, item, reply.Data);
    }

    /// <summary>Value bytes (33H removed, DI stripped) to a <see cref="MeterValue"/>; bad BCD or length is a <see cref="MeterProtocolException"/> "dlt645_bad_value".</summary>
    public static MeterValue DecodeValue(Dlt645Address address, Dlt645DataItem item, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            return item.ToMeterValue(data);
        }
        catch (FormatException ex)
        {
            throw new MeterProtocolException("dlt645_bad_value", $"Meter {address} {(uint)item.Id:X8}: {ex.Message}", ex);
        }
    }
}
