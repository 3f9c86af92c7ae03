namespace Dcu.Core.Uplink.Encodings;

/// <summary>Why bytes are not a valid compact reading batch (closed set; <see cref="CompactFormatException"/>).</summary>
public enum CompactFormatError
{
    /// <summary>Does not start with the magic <c>DCUR</c>: not a compact batch at all.</summary>
    BadMagic,
    /// <summary>A version this decoder does not know.</summary>
    UnsupportedVersion,
    /// <summary>The payload or the body ends before a field is complete.</summary>
    Truncated,
    /// <summary>Bytes left over after the last field.</summary>
    TrailingBytes,
    /// <summary>A varint longer than 64 bits or not in its shortest form.</summary>
    BadVarint,
    /// <summary>A length or count beyond the format's limits.</summary>
    TooLarge,
    /// <summary>The DEFLATE stream is corrupt or does not inflate to the declared length.</summary>
    BadDeflate,
    /// <summary>A string that is not valid UTF-8.</summary>
    BadString,
    /// <summary>An index outside its dictionary.</summary>
    IndexOutOfRange,
    /// <summary>An unknown value kind or a decimal mantissa beyond 2^53.</summary>
    BadValue,
    /// <summary>Quality flag bits not defined in this version.</summary>
    BadFlags,
    /// <summary>A time outside the range of Unix milliseconds in a 64-bit integer, or a zero step.</summary>
    BadTime,
}
