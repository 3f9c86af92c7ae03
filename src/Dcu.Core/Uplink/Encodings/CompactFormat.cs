namespace Dcu.Core.Uplink.Encodings;

/// <summary>Constants of the compact reading batch, version 1 (docs/compact-encoding.md is the spec).</summary>
internal static class CompactFormat
{
    /// <summary>"DCUR": DCU readings.</summary>
    public static ReadOnlySpan<byte> Magic => "DCUR"u8;

    public const byte Version = 1;

    /// <summary>Largest inflated body the decoder accepts (a batch of 10,000 readings is about 60 KB).</summary>
    public const int MaxBodyLength = 16 * 1024 * 1024;

    /// <summary>Longest string (DCU id, meter id, unit) in UTF-8 bytes: generous, so no configured id can make a batch unsendable.</summary>
    public const int MaxStringLength = 65_535;

    /// <summary>Value kinds 0..44 are decimals with exponent kind - 22: value = mantissa x 10^exponent.</summary>
    public const int DecimalExponentBias = 22;

    public const int MaxDecimalExponent = 22;

    public const byte MaxDecimalKind = 2 * DecimalExponentBias;

    /// <summary>Value kind: IEEE 754 binary32, 4 bytes little-endian, widened to double.</summary>
    public const byte Float32Kind = 0x40;

    /// <summary>Value kind: IEEE 754 binary64, 8 bytes little-endian.</summary>
    public const byte Float64Kind = 0x41;

    /// <summary>Largest decimal mantissa magnitude: 2^53, so the mantissa is an exact double.</summary>
    public const long MaxMantissa = 1L << 53;

    /// <summary>Quality flag bits defined in version 1 (<see cref="Model.ReadingQuality"/>).</summary>
    public const ulong KnownFlags = 0b111;

    /// <summary>10^0 .. 10^22, all exact doubles: a decimal is decoded with one correctly rounded IEEE operation.</summary>
    public static ReadOnlySpan<double> Pow10 =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>The double a decimal kind stands for; the encoder uses the same arithmetic to check its choice.</summary>
    public static double DecimalToDouble(long mantissa, int exponent) =>
        exponent < 0 ? mantissa / Pow10[-exponent] : mantissa * Pow10[exponent];
}
