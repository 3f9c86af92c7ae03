using System.Buffers.Binary;

namespace Dcu.Drivers.Profiles;

/// <summary>
/// Turns register bytes, as they come off the wire (big-endian words), into values. Pure: no state,
/// no allocation. Multi-register values are first put into most-significant-word-first order, then
/// read big-endian. The result is <c>raw * scale</c>; a float32 NaN or infinity is returned as is.
/// </summary>
public static class RegisterDecoder
{
    /// <summary>Decodes the value of <paramref name="entry"/> from the first bytes of <paramref name="registers"/>.</summary>
    public static double Decode(ReadOnlySpan<byte> registers, RegisterMapEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Decode(registers, entry.Type, entry.WordOrder, entry.Scale);
    }

    /// <summary>Decodes one value from the first <c>2 * type.WordCount()</c> bytes of <paramref name="registers"/>.</summary>
    /// <exception cref="ArgumentException">Fewer bytes than the type needs.</exception>
    public static double Decode(ReadOnlySpan<byte> registers, RegisterType type, WordOrder wordOrder, double scale = 1.0)
    {
        var words = type.WordCount();
        var length = words * 2;
        if (registers.Length < length)
            throw new ArgumentException($"{type} needs {length} bytes, got {registers.Length}", nameof(registers));

        Span<byte> ordered = stackalloc byte[8];
        ordered = ordered[..length];
        Normalise(registers[..length], wordOrder, ordered);

        // Every arm is cast to double: left alone, the switch's natural type would be float and
        // 32/64-bit integers would lose digits.
        var raw = type switch
        {
            RegisterType.Float32 => (double)BinaryPrimitives.ReadSingleBigEndian(ordered),
            RegisterType.Int16 => (double)BinaryPrimitives.ReadInt16BigEndian(ordered),
            RegisterType.UInt16 => (double)BinaryPrimitives.ReadUInt16BigEndian(ordered),
            RegisterType.Int32 => (double)BinaryPrimitives.ReadInt32BigEndian(ordered),
            RegisterType.UInt32 => (double)BinaryPrimitives.ReadUInt32BigEndian(ordered),
            RegisterType.Int64 => (double)BinaryPrimitives.ReadInt64BigEndian(ordered),
            RegisterType.UInt64 => (double)BinaryPrimitives.ReadUInt64BigEndian(ordered),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown register type"),
        };
        return raw * scale;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> with the most significant word first.</summary>
    internal static void Normalise(ReadOnlySpan<byte> source, WordOrder wordOrder, Span<byte> destination)
    {
        if (wordOrder == WordOrder.HighFirst || source.Length <= 2)
        {
            source.CopyTo(destination);
            return;
        }
        var words = source.Length / 2;
        for (var i = 0; i < words; i++)
        {
            var from = (words - 1 - i) * 2;
            destination[i * 2] = source[from];
            destination[i * 2 + 1] = source[from + 1];
        }
    }
}
