using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Profiles;

/// <summary>One FC 03/04 request of a <see cref="ReadPlan"/> and the entries its reply carries.</summary>
public sealed record ReadRequest(ModbusFunction Function, ushort Start, ushort Count, IReadOnlyList<RegisterMapEntry> Entries)
{
    /// <summary>Offset in bytes of <paramref name="entry"/>'s first register in this request's reply.</summary>
    public int ByteOffsetOf(RegisterMapEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (entry.Address - Start) * 2;
    }

    /// <summary>True when the request reads registers that no entry wants (a merged gap).</summary>
    public bool HasGaps
    {
        get
        {
            var covered = new bool[Count];
            foreach (var e in Entries)
                for (var a = e.Address; a < e.EndAddress; a++) covered[a - Start] = true;
            return Array.IndexOf(covered, false) >= 0;
        }
    }
}
