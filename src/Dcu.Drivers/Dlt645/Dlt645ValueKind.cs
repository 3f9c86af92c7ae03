namespace Dcu.Drivers.Dlt645;

/// <summary>How the value bytes of a data identifier are laid out.</summary>
public enum Dlt645ValueKind
{
    /// <summary>BCD number, low byte first, fixed decimals, optional sign bit (top bit of the last byte).</summary>
    Number,

    /// <summary>YYMMDDWW (sent WW first), WW 0 = Sunday.</summary>
    Date,

    /// <summary>hhmmss (sent ss first).</summary>
    Time,

    /// <summary>YYMMDDhhmm (sent mm first): a freeze timestamp.</summary>
    FreezeTime,

    /// <summary>A 16-bit bit field, low byte first, not BCD: running status words.</summary>
    StatusWord,

    /// <summary>Consecutive 4-byte XXXXXX.XX energies: total, then tariff 1..n.</summary>
    EnergyBlock,
}
