using System.Buffers.Binary;

namespace Dcu.Drivers.Profiles;

/// <summary>
/// The inverse of <see cref="RegisterDecoder"/>, for simulated meters and tests: engineering value to
/// register bytes. Integer types round to nearest and saturate at the type's range.
/// </summary>
public static class RegisterEncoder
{
    public static void Encode(double value, RegisterMapEntry entry, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Encode(value, entry.Type, entry.WordOrder, entry.Scale, destination);
    }

    /// <summary>Writes <c>2 * type.WordCount()</c> bytes of <c>value / scale</c> to <paramref name="destination"/>.</summary>
    public static void Encode(double value, RegisterType type, WordOrder wordOrder, double scale, Span<byte> destination)
    {
        var length = type.WordCount() * 2;
        if (destination.Length < length)
            throw new ArgumentException($"{type} needs {length} bytes, got {destination.Length}", nameof(destination));
        if (scale == 0 || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be finite and non-zero");

        var raw = value / scale;
        Span<byte> ordered = stackalloc byte[8];
        ordered = ordered[..length];
        switch (type)
        {
            case RegisterType.Float32: BinaryPrimitives.WriteSingleBigEndian(ordered, (float)raw); break;
            case RegisterType.Int16: BinaryPrimitives.WriteInt16BigEndian(ordered, (short)Saturate(raw, short.MinValue, short.MaxValue)); break;
            case RegisterType.UInt16: BinaryPrimitives.WriteUInt16BigEndian(ordered, (ushort)Saturate(raw, ushort.MinValue, ushort.MaxValue)); break;
            case RegisterType.Int32: BinaryPrimitives.WriteInt32BigEndian(ordered, (int)Saturate(raw, int.MinValue, int.MaxValue)); break;
            case RegisterType.UInt32: BinaryPrimitives.WriteUInt32BigEndian(ordered, (uint)Saturate(raw, uint.MinValue, uint.MaxValue)); break;
            case RegisterType.Int64: BinaryPrimitives.WriteInt64BigEndian(ordered, double.IsFinite(raw) ? (long)Math.Round(raw) : 0L); break;
            case RegisterType.UInt64: BinaryPrimitives.WriteUInt64BigEndian(ordered, double.IsFinite(raw) && raw > 0 ? (ulong)Math.Round(raw) : 0UL); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "unknown register type");
        }
        // Normalising is its own inverse: reversing the words twice gives back the original order.
        RegisterDecoder.Normalise(ordered, wordOrder, destination[..length]);
    }

    private static double Saturate(double raw, double min, double max) =>
        double.IsNaN(raw) ? 0 : Math.Clamp(Math.Round(raw), min, max);
}
