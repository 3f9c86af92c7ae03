namespace Dcu.Drivers.Plc;

/// <summary>
/// Q/GDW 1376.2 frame codec: <c>68 L_lo L_hi C R1..R6 [A1 A2.. A3] AFN DT1 DT2 data CS 16</c>, L the
/// whole frame length, CS the sum from C to the end of the data. Pure: no I/O, no state.
/// </summary>
/// <remarks>
/// <para>Parsing peeks, then commits: <see cref="Q13762FrameStatus.Incomplete"/> and
/// <see cref="Q13762FrameStatus.Error"/> consume nothing. The order of checks is: start byte, length
/// bounds (before anything is buffered), whole frame present, end byte, address field fits, and the
/// checksum last. Unknown AFNs and Fn groups are not errors: they are returned as opaque data.</para>
/// <para>Relay addresses A2: counted by R1.D4..D7 on downlink frames only. Vendor implementations do
/// not read a relay level upstream (uplink R1.D4..D7 is reserved), so uplink frames carry A1 and A3.</para>
/// </remarks>
public static class Q13762Frame
{
    public const byte Start = 0x68;
    public const byte End = 0x16;

    /// <summary>68 L L C R(6) AFN DT1 DT2 CS 16.</summary>
    public const int MinLength = 15;

    /// <summary>Default refusal bound for L (vendor implementations buffer 2 KiB).</summary>
    public const int DefaultMaxLength = 2048;

    private const int HeaderLength = 10; // 68 L L C R(6)

    /// <summary>Bytes needed to encode <paramref name="message"/>.</summary>
    public static int GetLength(Q13762Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return MinLength + AddressLength(message) + message.Data.Length;
    }

    /// <summary>Encodes <paramref name="message"/>, computing L and CS; returns the frame length.</summary>
    public static int Write(Span<byte> destination, Q13762Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var length = GetLength(message);
        if (length > ushort.MaxValue) throw new ArgumentException("Frame exceeds 65535 bytes.", nameof(message));
        if (destination.Length < length) throw new ArgumentException($"Destination needs {length} bytes.", nameof(destination));
        if (message.Info.HasAddress && (message.Source is null || message.Destination is null))
            throw new ArgumentException("R1.D2 is set: the frame needs both A1 and A3.", nameof(message));
        if (message.Info.HasAddress && !message.Control.IsUplink && message.Relays.Count != message.Info.RelayLevel)
            throw new ArgumentException("Relay address count must equal R1's relay level.", nameof(message));

        destination[0] = Start;
        destination[1] = (byte)length;
        destination[2] = (byte)(length >> 8);
        destination[3] = message.Control.Value;
        message.Info.Write(destination[4..]);
        var p = HeaderLength;
        if (message.Info.HasAddress)
        {
            message.Source!.Value.Write(destination[p..]);
            p += PlcAddress.Length;
            if (!message.Control.IsUplink)
            {
                foreach (var relay in message.Relays)
                {
                    relay.Write(destination[p..]);
                    p += PlcAddress.Length;
                }
            }
            message.Destination!.Value.Write(destination[p..]);
            p += PlcAddress.Length;
        }
        destination[p++] = (byte)message.Afn;
        destination[p++] = message.Fn.Dt1;
        destination[p++] = message.Fn.Dt2;
        message.Data.Span.CopyTo(destination[p..]);
        p += message.Data.Length;
        destination[p] = Checksum(destination[3..p]);
        destination[p + 1] = End;
        return length;
    }

    public static byte[] Encode(Q13762Message message)
    {
        var frame = new byte[GetLength(message)];
        Write(frame, message);
        return frame;
    }

    /// <summary>
    /// Parses the frame at the start of <paramref name="buffer"/>. On <see cref="Q13762FrameStatus.Complete"/>
    /// <paramref name="consumed"/> is its length; otherwise 0 and <paramref name="message"/> is null.
    /// </summary>
    public static Q13762FrameStatus TryParse(ReadOnlySpan<byte> buffer, out Q13762Message? message, out int consumed, out Q13762FrameError error) =>
        TryParse(buffer, DefaultMaxLength, out message, out consumed, out error);

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, out Q13762Message?, out int, out Q13762FrameError)"/>
    public static Q13762FrameStatus TryParse(ReadOnlySpan<byte> buffer, int maxLength, out Q13762Message? message, out int consumed, out Q13762FrameError error)
    {
        message = null;
        consumed = 0;
        error = Q13762FrameError.None;
        if (buffer.IsEmpty) return Q13762FrameStatus.Incomplete;
        if (buffer[0] != Start) return Fail(Q13762FrameError.NoStart, out error);
        if (buffer.Length < 3) return Q13762FrameStatus.Incomplete;

        var length = buffer[1] | (buffer[2] << 8);
        if (length < MinLength) return Fail(Q13762FrameError.BadLength, out error);
        if (length > maxLength) return Fail(Q13762FrameError.TooLong, out error);
        if (buffer.Length < length) return Q13762FrameStatus.Incomplete;

        var frame = buffer[..length];
        if (frame[^1] != End) return Fail(Q13762FrameError.BadEnd, out error);

        var control = new Q13762Control(frame[3]);
        var info = Q13762Info.Read(frame[4..]);
        var relayCount = info.HasAddress && !control.IsUplink ? info.RelayLevel : 0;
        var addressLength = info.HasAddress ? (2 + relayCount) * PlcAddress.Length : 0;
        if (MinLength + addressLength > length) return Fail(Q13762FrameError.BadLength, out error);

        if (Checksum(frame[3..^2]) != frame[^2]) return Fail(Q13762FrameError.BadChecksum, out error);

        var p = HeaderLength;
        PlcAddress? source = null, destination = null;
        var relays = new PlcAddress[relayCount];
        if (info.HasAddress)
        {
            source = PlcAddress.Read(frame[p..]);
            p += PlcAddress.Length;
            for (var i = 0; i < relayCount; i++, p += PlcAddress.Length) relays[i] = PlcAddress.Read(frame[p..]);
            destination = PlcAddress.Read(frame[p..]);
            p += PlcAddress.Length;
        }

        message = new Q13762Message
        {
            Control = control,
            Info = info,
            Source = source,
            Relays = relays,
            Destination = destination,
            Afn = (Q13762Afn)frame[p],
            Fn = Q13762Fn.FromDataUnit(frame[p + 1], frame[p + 2]),
            Data = frame[(p + 3)..^2].ToArray(),
        };
        consumed = length;
        return Q13762FrameStatus.Complete;
    }

    /// <summary>Index of the next 68H at or after <paramref name="from"/>, or the buffer length.</summary>
    public static int FindStart(ReadOnlySpan<byte> buffer, int from = 0)
    {
        if (from >= buffer.Length) return buffer.Length;
        var i = buffer[from..].IndexOf(Start);
        return i < 0 ? buffer.Length : from + i;
    }

    public static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (var b in bytes) sum += b;
        return sum;
    }

    private static int AddressLength(Q13762Message message) =>
        !message.Info.HasAddress ? 0 : (2 + (message.Control.IsUplink ? 0 : message.Relays.Count)) * PlcAddress.Length;

    private static Q13762FrameStatus Fail(Q13762FrameError reason, out Q13762FrameError error)
    {
        error = reason;
        return Q13762FrameStatus.Error;
    }
}
