using System.Diagnostics.CodeAnalysis;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// The read answer <c>+COPS: &lt;mode&gt;[,&lt;format&gt;,&lt;oper&gt;[,&lt;AcT&gt;]]</c> of TS 27.007 7.3:
/// the operator the modem is registered with (long or short name, or numeric MCC+MNC per
/// <c>&lt;format&gt;</c>) and its access technology; <c>+COPS: 0</c> alone means none.
/// </summary>
public sealed record OperatorSelection(int Mode, int? Format, string? Operator, AccessTechnology? Technology)
{
    public static bool TryParse(string line, [NotNullWhen(true)] out OperatorSelection? value, out AtFormatError error)
    {
        value = null;
        if (!AtFields.TryPayload(line, "+COPS", out var payload)) { error = AtFormatError.MissingPrefix; return false; }
        var f = AtFields.Split(payload);
        if (f.Count == 0) { error = AtFormatError.MissingField; return false; }
        error = AtFields.TryInt(f[0], 0, 4, out var mode);
        if (error != AtFormatError.None) return false;
        int? format = null;
        string? name = null;
        AccessTechnology? act = null;
        if (f.Count > 1)
        {
            if (f.Count < 3) { error = AtFormatError.MissingField; return false; }
            error = AtFields.TryInt(f[1], 0, 2, out var fmt);
            if (error != AtFormatError.None) return false;
            format = fmt;
            name = f[2].Text.Trim();
            if (name.Length == 0) name = null;
            if (f.Count > 3 && !f[3].IsEmpty)
            {
                error = AtFields.TryInt(f[3], 0, (int)AccessTechnology.EUtraNrDual, out var t);
                if (error != AtFormatError.None) return false;
                act = (AccessTechnology)t;
            }
        }
        value = new OperatorSelection(mode, format, name, act);
        return true;
    }
}
