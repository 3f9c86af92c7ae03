using System.Diagnostics.CodeAnalysis;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// The modem's IMEI (<c>AT+CGSN</c>, TS 27.007 5.4: the bare serial number, or <c>+CGSN: "..."</c> on
/// newer firmware) and the SIM's ICCID (no 27.007 command: vendors answer <c>AT+CCID</c> with
/// <c>+CCID: ...</c> or the bare number, <c>AT+ICCID</c> with <c>+ICCID:</c> or <c>ICCID:</c>,
/// Quectel <c>AT+QCCID</c> with <c>+QCCID:</c>). An ICCID is up to 20 digits (ITU-T E.118), some
/// SIMs pad with F or report hex.
/// </summary>
public static class ModemIdentity
{
    private static readonly string[] IccidPrefixes = ["+CCID", "+ICCID", "ICCID", "+QCCID", "^ICCID", "+CICCID"];

    /// <summary>The IMEI (15 digits, TS 23.003 6.2.1) or IMEISV (16) in one information line.</summary>
    public static bool TryParseImei(string line, [NotNullWhen(true)] out string? imei, out AtFormatError error)
    {
        ArgumentNullException.ThrowIfNull(line);
        imei = null;
        var text = AtFields.TryPayload(line, "+CGSN", out var payload) ? payload : line.Trim();
        text = text.Trim('"').Trim();
        if (text.Length == 0) { error = AtFormatError.MissingField; return false; }
        if (text.Length is < 15 or > 16 || !text.All(char.IsAsciiDigit)) { error = AtFormatError.BadValue; return false; }
        imei = text;
        error = AtFormatError.None;
        return true;
    }

    /// <summary>The ICCID (18..22 hex digits, upper case) in one information line.</summary>
    public static bool TryParseIccid(string line, [NotNullWhen(true)] out string? iccid, out AtFormatError error)
    {
        ArgumentNullException.ThrowIfNull(line);
        iccid = null;
        var text = line.Trim();
        foreach (var prefix in IccidPrefixes)
        {
            if (AtFields.TryPayload(text, prefix, out var payload)) { text = payload; break; }
        }
        text = text.Trim('"').Trim();
        if (text.Length == 0) { error = AtFormatError.MissingField; return false; }
        if (text.Length is < 18 or > 22 || !AtFields.IsHex(text)) { error = AtFormatError.BadValue; return false; }
        iccid = text.ToUpperInvariant();
        error = AtFormatError.None;
        return true;
    }

    /// <summary>What may be logged of an ICCID: its last 4 digits ("...1234").</summary>
    public static string Tail(string iccid)
    {
        ArgumentNullException.ThrowIfNull(iccid);
        return iccid.Length <= 4 ? iccid : "..." + iccid[^4..];
    }
}
