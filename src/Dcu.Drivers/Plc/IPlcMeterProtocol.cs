using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Drivers.Plc;

/// <summary>
/// The meter protocol a <see cref="PlcMeterReader"/> relays through the PLC module, e.g. DL/T 645-2007.
/// The PLC layer treats its frames as opaque bytes: this seam builds the request for one quantity
/// and decodes the meter's reply.
/// </summary>
public interface IPlcMeterProtocol
{
    /// <summary>Protocol byte of the AFN 13 F1 relay (02 for DL/T 645-2007).</summary>
    PlcProtocolType ProtocolType { get; }

    /// <summary>The quantities this protocol can read from <paramref name="meter"/>.</summary>
    IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter);

    /// <summary>The whole request frame reading <paramref name="quantity"/> from the meter at <paramref name="meterAddress"/> (12 digits).</summary>
    byte[] BuildRead(string meterAddress, ObisCode quantity);

    /// <summary>
    /// Decodes the meter's reply. False with a short stable <paramref name="failureReason"/> when the
    /// reply is not a usable answer to this request: "wrong_address" (another meter answered),
    /// "checksum", "frame", "wrong_di", "error_reply", or "no_data" (the meter says it lacks the
    /// quantity: the reader skips it instead of failing the read).
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> reply, string meterAddress, ObisCode quantity, out MeterValue value, out string failureReason);
}
