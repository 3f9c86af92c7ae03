namespace Dcu.Drivers.Modbus;

/// <summary>
/// RTU ADU codec ("MODBUS over Serial Line V1.02", 2.5.1): <c>addr(1) pdu(1..253) crc_lo crc_hi</c>.
/// Pure: no I/O. Parsing follows peek-then-commit: <see cref="FrameStatus.Incomplete"/> and
/// <see cref="FrameStatus.Error"/> consume nothing; the caller decides how to resynchronise
/// (see <see cref="FindPlausibleStart"/>).
/// </summary>
public static class ModbusRtuFrame
{
    /// <summary>Largest RTU ADU.</summary>
    public const int MaxAduLength = 256;

    /// <summary>Highest individual unit address; 0 is broadcast, 248..255 are reserved.</summary>
    public const byte MaxUnit = 247;

    /// <summary>Writes <c>unit pdu crc</c> into <paramref name="destination"/>; returns the ADU length.</summary>
    public static int WriteRequest(Span<byte> destination, byte unit, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 1 || pdu.Length > ModbusPdu.MaxLength)
        {
            throw new ArgumentException($"PDU must be 1..{ModbusPdu.MaxLength} bytes.", nameof(pdu));
        }

        var length = pdu.Length + 3;
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes.", nameof(destination));
        }

        destination[0] = unit;
        pdu.CopyTo(destination[1..]);
        ModbusCrc.Write(destination[(length - 2)..], ModbusCrc.Compute(destination[..(length - 2)]));
        return length;
    }

    /// <summary>
    /// Peeks at the first bytes of a reply and tells the whole ADU length expected for
    /// <paramref name="request"/>, or an error as soon as the unit, function or byte count is wrong.
    /// </summary>
    public static FrameStatus TryGetResponseLength(ReadOnlySpan<byte> buffer, in ModbusRequest request, out int length, out FrameError error)
    {
        length = 0;
        error = FrameError.None;
        if (buffer.Length < 1)
        {
            return FrameStatus.Incomplete;
        }

        if (buffer[0] != request.Unit)
        {
            error = FrameError.WrongUnit;
            return FrameStatus.Error;
        }

        var status = ModbusPdu.TryGetResponseLength(buffer[1..], request, out var pduLength, out error);
        if (status == FrameStatus.Complete)
        {
            length = pduLength + 3;
        }

        return status;
    }

    /// <summary>
    /// Parses the reply to <paramref name="request"/> at the start of <paramref name="buffer"/>.
    /// Reads by declared length, then checks the CRC, then the echo. On
    /// <see cref="FrameStatus.Complete"/>, <paramref name="consumed"/> is the ADU length and
    /// <paramref name="response"/> points into <paramref name="buffer"/>; otherwise it is 0.
    /// A device exception reply is <see cref="FrameStatus.Complete"/> with <see cref="ModbusResponse.IsException"/>.
    /// </summary>
    public static FrameStatus TryParseResponse(ReadOnlySpan<byte> buffer, in ModbusRequest request, out ModbusResponse response, out int consumed, out FrameError error)
    {
        response = default;
        consumed = 0;
        var status = TryGetResponseLength(buffer, request, out var length, out error);
        if (status != FrameStatus.Complete)
        {
            return status;
        }

        if (buffer.Length < length)
        {
            return FrameStatus.Incomplete;
        }

        var frame = buffer[..length];
        if (!ModbusCrc.Check(frame))
        {
            error = FrameError.BadCrc;
            return FrameStatus.Error;
        }

        status = ModbusPdu.TryDecodeResponse(frame[1..^2], frame[0], request, out response, out error);
        if (status == FrameStatus.Complete)
        {
            consumed = length;
        }

        return status;
    }

    /// <summary>
    /// Index of the first byte that could start the reply to <paramref name="request"/>: the
    /// unit, followed by the function (or its exception form) or by nothing yet. Returns
    /// <c>buffer.Length</c> when no byte qualifies. Used to skip garbage one byte at a time.
    /// </summary>
    public static int FindPlausibleStart(ReadOnlySpan<byte> buffer, in ModbusRequest request)
    {
        var function = (byte)request.Function;
        for (var i = 0; i < buffer.Length; i++)
        {
            if (buffer[i] != request.Unit)
            {
                continue;
            }

            if (i + 1 == buffer.Length || buffer[i + 1] == function || buffer[i + 1] == (function | 0x80))
            {
                return i;
            }
        }

        return buffer.Length;
    }
}
