using System.Buffers.Binary;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// DL/T 645-2007 frame codec: <c>[FE x0..4] 68 A0..A5 68 C L DATA CS 16</c>, DATA each byte +33H,
/// CS = sum from the first 68H through DATA mod 256 (FE excluded). Pure functions over spans.
/// Parsing follows peek-then-commit: <see cref="Dlt645FrameStatus.Incomplete"/> and
/// <see cref="Dlt645FrameStatus.Error"/> consume nothing; the caller skips garbage one byte at a
/// time toward the next plausible start (<see cref="FindStart"/>). Lengths are capped before
/// anything is buffered; the checksum is checked once the whole frame is there, before the reply
/// is compared with its request.
/// </summary>
/// <remarks>
/// Verified against the frames in shared/protocols/dlt645.md (recomputed independently) and public
/// implementations: the follow-up read 12H carries DI + SEQ and its reply 92H/B2H carries
/// DI + data + SEQ; the abnormal reply carries one error byte.
/// </remarks>
public static class Dlt645Frame
{
    public const byte Start = 0x68;
    public const byte End = 0x16;
    public const byte WakeUp = 0xFE;
    public const byte DataOffset = 0x33;

    /// <summary>Largest L of a read reply (7.1.4: "L ≤ 200 for reads, ≤ 50 for writes").</summary>
    public const int MaxDataLength = 200;

    /// <summary>Largest L of a write request (7.1.4).</summary>
    public const int MaxWriteDataLength = 50;

    /// <summary>68 + address + 68 + C + L + CS + 16: bytes of a frame besides its data.</summary>
    public const int Overhead = 12;

    /// <summary>Wake-up bytes a master usually sends (4).</summary>
    public const int DefaultPreambleLength = 4;

    /// <summary>Most FE bytes accepted before a 68H; more is noise.</summary>
    public const int MaxPreambleLength = 16;

    public static int FrameLength(int dataLength, int preambleLength = 0) => preambleLength + Overhead + dataLength;

    /// <summary>
    /// Writes a whole frame: <paramref name="preambleLength"/> FE bytes, header, <paramref name="data"/>
    /// (plain; 33H is added here), CS, 16H. Returns the length written.
    /// </summary>
    public static int Write(Span<byte> destination, Dlt645Address address, byte control, ReadOnlySpan<byte> data, int preambleLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preambleLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preambleLength, MaxPreambleLength);
        if (data.Length > byte.MaxValue) throw new ArgumentException("DATA is at most 255 bytes.", nameof(data));
        var length = FrameLength(data.Length, preambleLength);
        if (destination.Length < length) throw new ArgumentException($"Destination needs {length} bytes.", nameof(destination));

        destination[..preambleLength].Fill(WakeUp);
        var frame = destination[preambleLength..length];
        frame[0] = Start;
        address.WriteTo(frame[1..]);
        frame[7] = Start;
        frame[8] = control;
        frame[9] = (byte)data.Length;
        Encode(data, frame.Slice(10, data.Length));
        frame[^2] = Checksum(frame[..^2]);
        frame[^1] = End;
        return length;
    }

    public static byte[] Build(Dlt645Address address, byte control, ReadOnlySpan<byte> data, int preambleLength = 0)
    {
        var frame = new byte[FrameLength(data.Length, preambleLength)];
        Write(frame, address, control, data, preambleLength);
        return frame;
    }

    /// <summary>Read data (11H): DI only.</summary>
    public static byte[] ReadData(Dlt645Address address, Dlt645DataId dataId, int preambleLength = 0)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)dataId);
        return Build(address, Dlt645Control.Request(Dlt645Function.ReadData), data, preambleLength);
    }

    /// <summary>Read follow-up data (12H): DI + SEQ (1 for the first follow-up frame).</summary>
    public static byte[] ReadFollowUp(Dlt645Address address, Dlt645DataId dataId, byte sequence, int preambleLength = 0)
    {
        Span<byte> data = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)dataId);
        data[4] = sequence;
        return Build(address, Dlt645Control.Request(Dlt645Function.ReadFollowUp), data, preambleLength);
    }

    /// <summary>Read address (13H) to AAAAAAAAAAAA, no data: only one meter may be on the line.</summary>
    public static byte[] ReadAddress(int preambleLength = 0) =>
        Build(Dlt645Address.Wildcard, Dlt645Control.Request(Dlt645Function.ReadAddress), [], preambleLength);

    /// <summary>
    /// Broadcast time (08H) to 999999999999: ssmmhhDDMMYY of the meter's local clock time
    /// (<paramref name="meterLocalTime"/>'s clock reading; its offset is not sent). No meter answers.
    /// </summary>
    public static byte[] BroadcastTime(DateTime meterLocalTime, int preambleLength = 0)
    {
        Span<byte> data = stackalloc byte[6];
        WriteDateTime(data, meterLocalTime);
        return Build(Dlt645Address.Broadcast, Dlt645Control.Request(Dlt645Function.BroadcastTime), data, preambleLength);
    }

    /// <summary>
    /// Control command (1CH): PA P0 P1 P2 (password), C0..C3 (operator code, low byte first),
    /// N1 (command), N2 (reserved, 00), N3..N8 (validity deadline, ssmmhhDDMMYY). 16 bytes.
    /// </summary>
    /// <remarks>
    /// Layout verified against public concentrator and meter firmware sources (N1 command type, N2
    /// reserved, N3..N8 deadline ssmmhhDDMMYY). Uncertain: State Grid meters with an ESAM expect this
    /// block encrypted (ciphertext instead of the 8 plain N bytes, after identity authentication);
    /// plaintext control works only with meters without ESAM or in factory mode.
    /// </remarks>
    public static byte[] RelayControl(Dlt645Address address, Dlt645RelayCommand command, Dlt645Password password, uint operatorCode, DateTime validUntilMeterLocal, int preambleLength = 0) =>
        Build(address, Dlt645Control.Request(Dlt645Function.Control), RelayControlData(command, password, operatorCode, validUntilMeterLocal), preambleLength);

    /// <summary>The 16 plain data bytes of 1CH: PA P0..P2, C0..C3, N1, N2 = 00, N3..N8 = deadline ssmmhhDDMMYY.</summary>
    public static byte[] RelayControlData(Dlt645RelayCommand command, Dlt645Password password, uint operatorCode, DateTime validUntilMeterLocal)
    {
        var data = new byte[16];
        password.WriteTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), operatorCode);
        data[8] = (byte)command;
        data[9] = 0x00;
        WriteDateTime(data.AsSpan(10), validUntilMeterLocal);
        return data;
    }

    /// <summary>
    /// Write data (14H): DI0..DI3, PA P0 P1 P2 (password), C0..C3 (operator code, low byte first), then
    /// the value bytes (plain; 33H is added here). The meter answers 94H with no data, or D4H + error byte.
    /// </summary>
    /// <remarks>
    /// DL/T 645-2007 7.6: "L = 04H + 04H (password) + 04H (operator code) + m (data length)", L at most 50
    /// for writes. Like 1CH, meters with an ESAM may insist on an encrypted variant for some DIs; the
    /// clock (04000101/04000102) is writable in plain text with the 02/04-level password on most meters.
    /// </remarks>
    public static byte[] WriteData(Dlt645Address address, Dlt645DataId dataId, Dlt645Password password, uint operatorCode, ReadOnlySpan<byte> value, int preambleLength = 0) =>
        Build(address, Dlt645Control.Request(Dlt645Function.WriteData), WriteDataData(dataId, password, operatorCode, value), preambleLength);

    /// <summary>The plain data bytes of 14H: DI0..DI3, PA P0..P2, C0..C3, value. At most <see cref="MaxWriteDataLength"/>.</summary>
    public static byte[] WriteDataData(Dlt645DataId dataId, Dlt645Password password, uint operatorCode, ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxWriteDataLength - 12) throw new ArgumentException($"A written value is at most {MaxWriteDataLength - 12} bytes.", nameof(value));
        var data = new byte[12 + value.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)dataId);
        password.WriteTo(data.AsSpan(4));
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), operatorCode);
        value.CopyTo(data.AsSpan(12));
        return data;
    }

    /// <summary>ssmmhhDDMMYY (6 BCD bytes, seconds first) as in 08H and the 1CH deadline. Years 2000..2099.</summary>
    public static void WriteDateTime(Span<byte> destination, DateTime time)
    {
        if (time.Year is < 2000 or > 2099) throw new ArgumentOutOfRangeException(nameof(time), time, "DL/T 645 years are 2000..2099");
        destination[0] = Bcd.EncodeByte(time.Second);
        destination[1] = Bcd.EncodeByte(time.Minute);
        destination[2] = Bcd.EncodeByte(time.Hour);
        destination[3] = Bcd.EncodeByte(time.Day);
        destination[4] = Bcd.EncodeByte(time.Month);
        destination[5] = Bcd.EncodeByte(time.Year - 2000);
    }

    /// <summary>Reads ssmmhhDDMMYY; false when a byte is not BCD or the date does not exist.</summary>
    public static bool TryReadDateTime(ReadOnlySpan<byte> source, out DateTime time)
    {
        time = default;
        if (source.Length < 6) return false;
        int s = Bcd.DecodeByte(source[0]), mi = Bcd.DecodeByte(source[1]), h = Bcd.DecodeByte(source[2]);
        int d = Bcd.DecodeByte(source[3]), mo = Bcd.DecodeByte(source[4]), y = Bcd.DecodeByte(source[5]);
        if (s is < 0 or > 59 || mi is < 0 or > 59 || h is < 0 or > 23 || mo is < 1 or > 12 || y < 0) return false;
        if (d < 1 || d > DateTime.DaysInMonth(2000 + y, mo)) return false;
        time = new DateTime(2000 + y, mo, d, h, mi, s, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>Sum of <paramref name="bytes"/> mod 256.</summary>
    public static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        var sum = 0;
        foreach (var b in bytes) sum += b;
        return (byte)sum;
    }

    /// <summary>Adds 33H to every byte.</summary>
    public static void Encode(ReadOnlySpan<byte> plain, Span<byte> encoded)
    {
        for (var i = 0; i < plain.Length; i++) encoded[i] = unchecked((byte)(plain[i] + DataOffset));
    }

    /// <summary>Removes 33H from every byte.</summary>
    public static void Decode(ReadOnlySpan<byte> encoded, Span<byte> plain)
    {
        for (var i = 0; i < encoded.Length; i++) plain[i] = unchecked((byte)(encoded[i] - DataOffset));
    }

    /// <summary>
    /// Index of the first byte that could begin a frame (FE or 68H), or <c>buffer.Length</c>.
    /// Used after an <see cref="Dlt645FrameStatus.Error"/>: skip 1 byte, then up to here.
    /// </summary>
    public static int FindStart(ReadOnlySpan<byte> buffer)
    {
        var i = buffer.IndexOfAny(Start, WakeUp);
        return i < 0 ? buffer.Length : i;
    }

    /// <summary>
    /// Peeks for one well-formed frame at the start of <paramref name="buffer"/> (FE wake-up bytes
    /// first are allowed and belong to it). Checks, in wire order: 68H, address bytes, second 68H,
    /// L against <paramref name="maxDataLength"/> (before buffering), then with all bytes present
    /// 16H and finally CS. On <see cref="Dlt645FrameStatus.Complete"/>, <paramref name="consumed"/>
    /// covers the preamble and the frame; otherwise it is 0.
    /// </summary>
    public static Dlt645FrameStatus TryRead(ReadOnlySpan<byte> buffer, out Dlt645FrameView frame, out int consumed, out Dlt645FrameError error, int maxDataLength = MaxDataLength)
    {
        frame = default;
        consumed = 0;
        error = Dlt645FrameError.None;

        var preamble = 0;
        while (preamble < buffer.Length && buffer[preamble] == WakeUp) preamble++;
        if (preamble > MaxPreambleLength) return Fail(Dlt645FrameError.NoStart, out error);
        if (preamble == buffer.Length) return Dlt645FrameStatus.Incomplete;
        if (buffer[preamble] != Start) return Fail(Dlt645FrameError.NoStart, out error);

        var f = buffer[preamble..];
        var headerBytes = Math.Min(f.Length, 7);
        for (var i = 1; i < headerBytes; i++)
        {
            if (f[i] != 0xAA && Bcd.DecodeByte(f[i]) < 0) return Fail(Dlt645FrameError.BadAddress, out error);
        }

        if (f.Length < 8) return Dlt645FrameStatus.Incomplete;
        if (f[7] != Start) return Fail(Dlt645FrameError.BadHeader, out error);
        if (f.Length < 10) return Dlt645FrameStatus.Incomplete;
        var dataLength = f[9];
        if (dataLength > maxDataLength) return Fail(Dlt645FrameError.TooLong, out error);
        var length = Overhead + dataLength;
        if (f.Length < length) return Dlt645FrameStatus.Incomplete;
        if (f[length - 1] != End) return Fail(Dlt645FrameError.BadEnd, out error);
        if (Checksum(f[..(length - 2)]) != f[length - 2]) return Fail(Dlt645FrameError.BadChecksum, out error);

        Dlt645Address.TryRead(f[1..7], out var address);
        frame = new Dlt645FrameView(address, f[8], f.Slice(10, dataLength), preamble);
        consumed = preamble + length;
        return Dlt645FrameStatus.Complete;
    }

    /// <summary>
    /// Checks a well-formed frame against <paramref name="request"/>: a reply (D7), the same function,
    /// from the meter asked (wildcard bytes match any), the length the function needs, and the DI /
    /// SEQ echo. Returns <see cref="Dlt645FrameError.None"/> and the decoded reply when it matches.
    /// </summary>
    public static Dlt645FrameError CheckReply(in Dlt645FrameView frame, in Dlt645Request request, out Dlt645Reply? reply)
    {
        reply = null;
        if (!frame.IsReply) return Dlt645FrameError.NotAReply;
        if (frame.Function != request.Function) return Dlt645FrameError.WrongFunction;
        if (!request.Address.Matches(frame.Address) || !frame.Address.IsUnicast) return Dlt645FrameError.WrongAddress;

        if (frame.IsAbnormal)
        {
            // One error byte (some meters append a second, reserved byte to control replies: tolerated).
            if (frame.DataLength < 1) return Dlt645FrameError.BadLength;
            reply = new Dlt645Reply(frame.Address, frame.Control, request.DataId, [], (Dlt645ErrorWord)frame.DataAt(0));
            return Dlt645FrameError.None;
        }

        switch (request.Function)
        {
            case Dlt645Function.ReadData or Dlt645Function.ReadFollowUp:
            {
                var isFollowUp = request.Function == Dlt645Function.ReadFollowUp;
                if (frame.DataLength < (isFollowUp ? 5 : 4)) return Dlt645FrameError.BadLength;
                var data = frame.DecodeData();
                var di = (Dlt645DataId)BinaryPrimitives.ReadUInt32LittleEndian(data);
                if (request.DataId is { } asked && di != asked) return Dlt645FrameError.MismatchedIdentifier;
                byte? sequence = null;
                var end = data.Length;
                if (isFollowUp)
                {
                    sequence = data[^1];
                    end--;
                    if (request.Sequence is { } seq && sequence != seq) return Dlt645FrameError.MismatchedIdentifier;
                }

                reply = new Dlt645Reply(frame.Address, frame.Control, di, data[4..end], Sequence: sequence);
                return Dlt645FrameError.None;
            }

            case Dlt645Function.ReadAddress:
            {
                if (frame.DataLength != Dlt645Address.Length) return Dlt645FrameError.BadLength;
                var data = frame.DecodeData();
                if (!Dlt645Address.TryRead(data, out var inData) || inData != frame.Address) return Dlt645FrameError.WrongAddress;
                reply = new Dlt645Reply(frame.Address, frame.Control, null, data);
                return Dlt645FrameError.None;
            }

            default:
                reply = new Dlt645Reply(frame.Address, frame.Control, request.DataId, frame.DecodeData());
                return Dlt645FrameError.None;
        }
    }

    /// <summary>
    /// <see cref="TryRead"/> then <see cref="CheckReply"/>: the reply to <paramref name="request"/> at the
    /// start of <paramref name="buffer"/>. Nothing is consumed unless it is <see cref="Dlt645FrameStatus.Complete"/>.
    /// </summary>
    public static Dlt645FrameStatus TryParseReply(ReadOnlySpan<byte> buffer, in Dlt645Request request, out Dlt645Reply? reply, out int consumed, out Dlt645FrameError error)
    {
        reply = null;
        var status = TryRead(buffer, out var frame, out consumed, out error);
        if (status != Dlt645FrameStatus.Complete) return status;
        error = CheckReply(frame, request, out reply);
        if (error == Dlt645FrameError.None) return Dlt645FrameStatus.Complete;
        consumed = 0;
        return Dlt645FrameStatus.Error;
    }

    private static Dlt645FrameStatus Fail(Dlt645FrameError reason, out Dlt645FrameError error)
    {
        error = reason;
        return Dlt645FrameStatus.Error;
    }
}
