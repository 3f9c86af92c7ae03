using System.Globalization;

namespace Dcu.Drivers.Plc;

/// <summary>
/// A data unit identifier: the "Fn" number carried as DT1 DT2, where
/// <c>DT1 = 1 &lt;&lt; ((n - 1) % 8)</c> and <c>DT2 = (n - 1) / 8</c> (F1 = 01 00, F9 = 01 01).
/// Fn ranges over 1..2040. A DT1 with no bit or several bits set names no single Fn: such frames
/// keep their raw DT bytes and report <see cref="IsSingle"/> false.
/// </summary>
public readonly record struct Q13762Fn
{
    public const int Max = 255 * 8;

    private Q13762Fn(byte dt1, byte dt2)
    {
        Dt1 = dt1;
        Dt2 = dt2;
    }

    public static Q13762Fn F1 => new(1);
    public static Q13762Fn F2 => new(2);
    public static Q13762Fn F3 => new(3);
    public static Q13762Fn F4 => new(4);
    public static Q13762Fn F5 => new(5);
    public static Q13762Fn F10 => new(10);

    public Q13762Fn(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, Max);
        Dt1 = (byte)(1 << ((number - 1) % 8));
        Dt2 = (byte)((number - 1) / 8);
    }

    public byte Dt1 { get; }

    public byte Dt2 { get; }

    /// <summary>True when DT1 has exactly one bit set, so the pair names one Fn.</summary>
    public bool IsSingle => Dt1 != 0 && (Dt1 & (Dt1 - 1)) == 0 && Dt2 != 0xFF;

    /// <summary>The Fn number, or 0 when <see cref="IsSingle"/> is false.</summary>
    public int Number => IsSingle ? (Dt2 * 8) + System.Numerics.BitOperations.TrailingZeroCount(Dt1) + 1 : 0;

    /// <summary>Whatever DT1 DT2 the wire carried.</summary>
    public static Q13762Fn FromDataUnit(byte dt1, byte dt2) => new(dt1, dt2);

    public override string ToString() => IsSingle
        ? string.Create(CultureInfo.InvariantCulture, $"F{Number}")
        : string.Create(CultureInfo.InvariantCulture, $"DT{Dt1:X2}{Dt2:X2}");
}
