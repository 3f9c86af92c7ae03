using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;

namespace Dcu.Drivers.Plc;

/// <summary>
/// DL/T 645-2007 relayed through the PLC module: the same request frames and value decoding as
/// on RS485 (<see cref="Dlt645ReadExchange"/>), classified into the reasons the PLC reader counts.
/// </summary>
public sealed class Dlt645PlcProtocol : IPlcMeterProtocol
{
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
            failureReason = error switch
            {
                Dlt645FrameError.WrongAddress => "wrong_address",
                Dlt645FrameError.BadChecksum => "checksum",
                Dlt645FrameError.MismatchedIdentifier => "wrong_di",
                _ => "frame",
            };
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
}
