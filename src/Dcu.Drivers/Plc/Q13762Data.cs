using System.Buffers.Binary;
using System.Text;

namespace Dcu.Drivers.Plc;

/// <summary>
/// Data-unit layouts of the AFN/Fn pairs the driver and the simulator use, both directions.
/// Parsers are tolerant: they return false (or skip trailing bytes) rather than throw on short or
/// odd data. Layouts follow the notes in shared/protocols/qgdw1376-2.md and vendor implementations.
/// </summary>
public static class Q13762Data
{
    /// <summary>AFN 00 F1 confirm data sent by the concentrator: all channels idle (FF FF FF FF), wait time 0.</summary>
    public static byte[] Confirm() => [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00];

    /// <summary>AFN 00 F1 confirm data with a wait time (bytes 4..5, seconds, low byte first), as a module answers a broadcast that takes time.</summary>
    public static byte[] Confirm(ushort waitSeconds) => [0xFF, 0xFF, 0xFF, 0xFF, (byte)waitSeconds, (byte)(waitSeconds >> 8)];

    /// <summary>The wait time of an AFN 00 F1 confirm (how long the module needs to carry the command out); zero when absent.</summary>
    public static TimeSpan ConfirmWaitTime(ReadOnlySpan<byte> data) =>
        data.Length >= 6 ? TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt16LittleEndian(data[4..])) : TimeSpan.Zero;

    public static byte[] Deny(Q13762DenyCode code) => [(byte)code];

    public static Q13762DenyCode ParseDeny(ReadOnlySpan<byte> data) => data.IsEmpty ? Q13762DenyCode.FormatError : (Q13762DenyCode)data[0];

    // ---- AFN 13 F1 ----

    /// <summary>AFN 13 F1 down: protocol, [delay flag (2013)], attached count n, n x address, length, frame.</summary>
    public static byte[] ForwardRequest(Q13762Edition edition, PlcProtocolType protocol, ReadOnlySpan<byte> frame, IReadOnlyList<PlcAddress>? attached = null, bool delayRelated = false)
    {
        if (frame.Length > 255) throw new ArgumentException("A relayed frame is at most 255 bytes.", nameof(frame));
        attached ??= [];
        var head = edition == Q13762Edition.V2013 ? 3 : 2;
        var data = new byte[head + (attached.Count * PlcAddress.Length) + 1 + frame.Length];
        var p = 0;
        data[p++] = (byte)protocol;
        if (edition == Q13762Edition.V2013) data[p++] = delayRelated ? (byte)1 : (byte)0;
        data[p++] = (byte)attached.Count;
        foreach (var a in attached)
        {
            a.Write(data.AsSpan(p));
            p += PlcAddress.Length;
        }
        data[p++] = (byte)frame.Length;
        frame.CopyTo(data.AsSpan(p));
        return data;
    }

    public static bool TryParseForwardRequest(ReadOnlySpan<byte> data, Q13762Edition edition, out PlcProtocolType protocol, out byte[] frame)
    {
        protocol = default;
        frame = [];
        var p = edition == Q13762Edition.V2013 ? 2 : 1;
        if (data.Length < p + 2) return false;
        protocol = (PlcProtocolType)data[0];
        var attached = data[p++];
        p += attached * PlcAddress.Length;
        if (data.Length < p + 1) return false;
        var length = data[p++];
        if (data.Length < p + length) return false;
        frame = data.Slice(p, length).ToArray();
        return true;
    }

    /// <summary>AFN 13 F1 up: [duration (2, s) (2013)], protocol, length, frame.</summary>
    public static byte[] ForwardReply(Q13762Edition edition, PlcProtocolType protocol, ReadOnlySpan<byte> frame, ushort durationSeconds = 0)
    {
        var head = edition == Q13762Edition.V2013 ? 4 : 2;
        var data = new byte[head + frame.Length];
        var p = 0;
        if (edition == Q13762Edition.V2013)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data, durationSeconds);
            p = 2;
        }
        data[p++] = (byte)protocol;
        data[p++] = (byte)frame.Length;
        frame.CopyTo(data.AsSpan(p));
        return data;
    }

    /// <summary>
    /// Parses an AFN 13 F1 answer in the configured edition's layout, falling back to the other
    /// edition when the declared length only fits that one (modules are not consistent about it).
    /// </summary>
    public static bool TryParseForwardReply(ReadOnlySpan<byte> data, Q13762Edition edition, out PlcForwardReply? reply)
    {
        reply = null;
        bool Try2013(ReadOnlySpan<byte> d, out PlcForwardReply? r)
        {
            r = null;
            if (d.Length < 4 || 4 + d[3] > d.Length) return false;
            r = new PlcForwardReply((PlcProtocolType)d[2], d.Slice(4, d[3]).ToArray(), TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt16LittleEndian(d)));
            return true;
        }
        bool Try2009(ReadOnlySpan<byte> d, out PlcForwardReply? r)
        {
            r = null;
            if (d.Length < 2 || 2 + d[1] > d.Length) return false;
            r = new PlcForwardReply((PlcProtocolType)d[0], d.Slice(2, d[1]).ToArray(), null);
            return true;
        }
        // Exact fits first, then the configured edition with trailing bytes.
        if (edition == Q13762Edition.V2013)
        {
            if (data.Length >= 4 && 4 + data[3] == data.Length) return Try2013(data, out reply);
            if (data.Length >= 2 && 2 + data[1] == data.Length) return Try2009(data, out reply);
            return Try2013(data, out reply);
        }
        if (data.Length >= 2 && 2 + data[1] == data.Length) return Try2009(data, out reply);
        if (data.Length >= 4 && 4 + data[3] == data.Length) return Try2013(data, out reply);
        return Try2009(data, out reply);
    }

    // ---- AFN 05 F3 ----

    /// <summary>
    /// AFN 05 F3 "start broadcast" down: control word (the protocol of the frame: 02 = DL/T 645-2007),
    /// frame length, frame (e.g. the 645 broadcast time 08H). Layout as in public concentrator
    /// implementations of Q/GDW 1376.2 (ctrl, MsgLength, MsgContent); answered with AFN 00 F1/F2.
    /// </summary>
    public static byte[] BroadcastRequest(PlcProtocolType protocol, ReadOnlySpan<byte> frame)
    {
        if (frame.Length > 255) throw new ArgumentException("A broadcast frame is at most 255 bytes.", nameof(frame));
        var data = new byte[2 + frame.Length];
        data[0] = (byte)protocol;
        data[1] = (byte)frame.Length;
        frame.CopyTo(data.AsSpan(2));
        return data;
    }

    public static bool TryParseBroadcastRequest(ReadOnlySpan<byte> data, out PlcProtocolType protocol, out byte[] frame)
    {
        protocol = default;
        frame = [];
        if (data.Length < 2 || data.Length < 2 + data[1]) return false;
        protocol = (PlcProtocolType)data[0];
        frame = data.Slice(2, data[1]).ToArray();
        return true;
    }

    // ---- AFN 03 ----

    public static byte[] ModuleInfo(PlcModuleInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var data = new byte[9];
        WriteAsciiReversed(data.AsSpan(0, 2), info.VendorCode);
        WriteAsciiReversed(data.AsSpan(2, 2), info.ChipCode);
        if (info.VersionDate is { } d)
        {
            data[4] = ToBcd(d.Day);
            data[5] = ToBcd(d.Month);
            data[6] = ToBcd(d.Year % 100);
        }
        var version = info.Version.PadLeft(4, '0');
        data[7] = Convert.ToByte(version[2..4], 16);
        data[8] = Convert.ToByte(version[0..2], 16);
        return data;
    }

    /// <summary>AFN 03 F1 up. Vendor and chip codes are read low byte first (the usual display order); unverified against the normative text.</summary>
    public static bool TryParseModuleInfo(ReadOnlySpan<byte> data, out PlcModuleInfo? info)
    {
        info = null;
        if (data.Length < 9) return false;
        DateOnly? date = null;
        if (TryFromBcd(data[4], out var day) && TryFromBcd(data[5], out var month) && TryFromBcd(data[6], out var year)
            && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(2000 + year, month))
        {
            date = new DateOnly(2000 + year, month, day);
        }
        info = new PlcModuleInfo(ReadAsciiReversed(data[..2]), ReadAsciiReversed(data[2..4]), date, $"{data[8]:X2}{data[7]:X2}");
        return true;
    }

    public static byte[] RunMode(PlcRunMode mode)
    {
        ArgumentNullException.ThrowIfNull(mode);
        var data = new byte[39];
        data[0] = (byte)(mode.CommunicationType & 0x0F);
        data[6] = (byte)Math.Clamp(mode.SlaveMonitorTimeout.TotalSeconds, 0, 255);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(9), (ushort)mode.MaxFrameLength);
        mode.MainNode.Write(data.AsSpan(14));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(20), (ushort)mode.MaxSlaveNodes);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(22), (ushort)mode.SlaveNodes);
        return data;
    }

    public static bool TryParseRunMode(ReadOnlySpan<byte> data, out PlcRunMode? mode)
    {
        mode = null;
        if (data.Length < 24) return false;
        mode = new PlcRunMode(data[0] & 0x0F, TimeSpan.FromSeconds(data[6]), BinaryPrimitives.ReadUInt16LittleEndian(data[9..]),
            PlcAddress.Read(data[14..]), BinaryPrimitives.ReadUInt16LittleEndian(data[20..]), BinaryPrimitives.ReadUInt16LittleEndian(data[22..]));
        return true;
    }

    // ---- AFN 10 ----

    /// <summary>AFN 10 F1 up: slave node count (2), max supported (2).</summary>
    public static byte[] SlaveCount(int count, int max)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(data, (ushort)count);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), (ushort)max);
        return data;
    }

    public static bool TryParseSlaveCount(ReadOnlySpan<byte> data, out int count, out int max)
    {
        count = max = 0;
        if (data.Length < 2) return false;
        count = BinaryPrimitives.ReadUInt16LittleEndian(data);
        max = data.Length >= 4 ? BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) : 0;
        return true;
    }

    /// <summary>AFN 10 F2 down: start index (2, from 1), count (1).</summary>
    public static byte[] SlaveListRequest(int start, int count)
    {
        var data = new byte[3];
        BinaryPrimitives.WriteUInt16LittleEndian(data, (ushort)start);
        data[2] = (byte)count;
        return data;
    }

    public static bool TryParseSlaveListRequest(ReadOnlySpan<byte> data, out int start, out int count)
    {
        start = count = 0;
        if (data.Length < 3) return false;
        start = BinaryPrimitives.ReadUInt16LittleEndian(data);
        count = data[2];
        return true;
    }

    /// <summary>AFN 10 F2 up: total (2), n (1), n x (address 6, info 2).</summary>
    public static byte[] SlaveList(int total, IReadOnlyList<PlcSlaveNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var data = new byte[3 + (nodes.Count * 8)];
        BinaryPrimitives.WriteUInt16LittleEndian(data, (ushort)total);
        data[2] = (byte)nodes.Count;
        for (var i = 0; i < nodes.Count; i++)
        {
            nodes[i].Address.Write(data.AsSpan(3 + (i * 8)));
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(9 + (i * 8)), nodes[i].Info);
        }
        return data;
    }

    public static bool TryParseSlaveList(ReadOnlySpan<byte> data, out int total, out List<PlcSlaveNode> nodes)
    {
        total = 0;
        nodes = [];
        if (data.Length < 3) return false;
        total = BinaryPrimitives.ReadUInt16LittleEndian(data);
        int n = data[2];
        if (data.Length < 3 + (n * 8)) return false;
        for (var i = 0; i < n; i++)
        {
            var entry = data.Slice(3 + (i * 8), 8);
            nodes.Add(new PlcSlaveNode(PlcAddress.Read(entry), BinaryPrimitives.ReadUInt16LittleEndian(entry[6..])));
        }
        return true;
    }

    // ---- AFN 11 ----

    /// <summary>AFN 11 F1 down: n, n x (address 6, [index 2 (2009)], protocol 1).</summary>
    public static byte[] AddSlaves(Q13762Edition edition, IReadOnlyList<PlcAddress> addresses, PlcProtocolType protocol)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var entry = edition == Q13762Edition.V2013 ? 7 : 9;
        var data = new byte[1 + (addresses.Count * entry)];
        data[0] = (byte)addresses.Count;
        for (var i = 0; i < addresses.Count; i++)
        {
            var span = data.AsSpan(1 + (i * entry), entry);
            addresses[i].Write(span);
            span[^1] = (byte)protocol;
        }
        return data;
    }

    public static bool TryParseAddSlaves(ReadOnlySpan<byte> data, Q13762Edition edition, out List<PlcAddress> addresses)
    {
        addresses = [];
        if (data.IsEmpty) return false;
        var entry = edition == Q13762Edition.V2013 ? 7 : 9;
        int n = data[0];
        if (data.Length < 1 + (n * entry)) return false;
        for (var i = 0; i < n; i++) addresses.Add(PlcAddress.Read(data[(1 + (i * entry))..]));
        return true;
    }

    /// <summary>AFN 11 F2 down: n, n x address.</summary>
    public static byte[] DeleteSlaves(IReadOnlyList<PlcAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var data = new byte[1 + (addresses.Count * PlcAddress.Length)];
        data[0] = (byte)addresses.Count;
        for (var i = 0; i < addresses.Count; i++) addresses[i].Write(data.AsSpan(1 + (i * PlcAddress.Length)));
        return data;
    }

    public static bool TryParseDeleteSlaves(ReadOnlySpan<byte> data, out List<PlcAddress> addresses)
    {
        addresses = [];
        if (data.IsEmpty) return false;
        int n = data[0];
        if (data.Length < 1 + (n * PlcAddress.Length)) return false;
        for (var i = 0; i < n; i++) addresses.Add(PlcAddress.Read(data[(1 + (i * PlcAddress.Length))..]));
        return true;
    }

    // ---- AFN 06 ----

    /// <summary>AFN 06 F1 up: n, n x (address 6, protocol 1, index 2).</summary>
    public static bool TryParseReportedNodes(ReadOnlySpan<byte> data, out List<PlcAddress> addresses)
    {
        addresses = [];
        if (data.IsEmpty) return false;
        int n = data[0];
        if (data.Length < 1 + (n * 9)) return false;
        for (var i = 0; i < n; i++) addresses.Add(PlcAddress.Read(data[(1 + (i * 9))..]));
        return true;
    }

    public static byte[] ReportedNodes(IReadOnlyList<PlcAddress> addresses, PlcProtocolType protocol)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var data = new byte[1 + (addresses.Count * 9)];
        data[0] = (byte)addresses.Count;
        for (var i = 0; i < addresses.Count; i++)
        {
            addresses[i].Write(data.AsSpan(1 + (i * 9)));
            data[7 + (i * 9)] = (byte)protocol;
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8 + (i * 9)), (ushort)(i + 1));
        }
        return data;
    }

    /// <summary>AFN 06 F2 up: node index (2), protocol (1), duration (2), length (1), frame.</summary>
    public static bool TryParseReportedData(ReadOnlySpan<byte> data, out ushort nodeIndex, out PlcProtocolType protocol, out byte[] frame)
    {
        nodeIndex = 0;
        protocol = default;
        frame = [];
        if (data.Length < 6 || data.Length < 6 + data[5]) return false;
        nodeIndex = BinaryPrimitives.ReadUInt16LittleEndian(data);
        protocol = (PlcProtocolType)data[2];
        frame = data.Slice(6, data[5]).ToArray();
        return true;
    }

    /// <summary>AFN 06 F5 up: device type (1), protocol (1), length (1), frame.</summary>
    public static bool TryParseReportedEvent(ReadOnlySpan<byte> data, out PlcProtocolType protocol, out byte[] frame)
    {
        protocol = default;
        frame = [];
        if (data.Length < 3 || data.Length < 3 + data[2]) return false;
        protocol = (PlcProtocolType)data[1];
        frame = data.Slice(3, data[2]).ToArray();
        return true;
    }

    public static byte[] ReportedEvent(byte deviceType, PlcProtocolType protocol, ReadOnlySpan<byte> frame)
    {
        var data = new byte[3 + frame.Length];
        data[0] = deviceType;
        data[1] = (byte)protocol;
        data[2] = (byte)frame.Length;
        frame.CopyTo(data.AsSpan(3));
        return data;
    }

    // ---- AFN 14 ----

    /// <summary>AFN 14 F2 down: the concentrator clock, BCD ss mm hh DD MM YY.</summary>
    public static byte[] Clock(DateTimeOffset time)
    {
        var t = time.UtcDateTime;
        return [ToBcd(t.Second), ToBcd(t.Minute), ToBcd(t.Hour), ToBcd(t.Day), ToBcd(t.Month), ToBcd(t.Year % 100)];
    }

    /// <summary>AFN 14 F1 down "nothing to read for this node": read flag 00 (failed/none), delay flag 0, length 0, attached count 0. Unverified.</summary>
    public static byte[] NothingToRead() => [0x00, 0x00, 0x00, 0x00];

    internal static byte ToBcd(int value) => (byte)(((value / 10) << 4) | (value % 10));

    internal static bool TryFromBcd(byte b, out int value)
    {
        value = ((b >> 4) * 10) + (b & 0x0F);
        return (b >> 4) <= 9 && (b & 0x0F) <= 9;
    }

    private static string ReadAsciiReversed(ReadOnlySpan<byte> two)
    {
        Span<byte> swapped = [two[1], two[0]];
        foreach (var b in swapped)
            if (b is < 0x20 or > 0x7E) return Convert.ToHexString(swapped);
        return Encoding.ASCII.GetString(swapped);
    }

    private static void WriteAsciiReversed(Span<byte> two, string code)
    {
        var text = (code ?? "").PadRight(2)[..2];
        two[0] = (byte)text[1];
        two[1] = (byte)text[0];
    }
}
