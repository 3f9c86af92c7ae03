using System.Diagnostics.CodeAnalysis;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// Network registration, from the read answer <c>+CREG: &lt;n&gt;,&lt;stat&gt;[,&lt;lac&gt;,&lt;ci&gt;[,&lt;AcT&gt;]]</c>
/// (TS 27.007 7.2) or the URC <c>+CREG: &lt;stat&gt;[,&lt;lac&gt;,&lt;ci&gt;[,&lt;AcT&gt;]]</c>; likewise +CGREG
/// (10.1.20, then <c>&lt;rac&gt;</c>…) and +CEREG (10.1.22, <c>&lt;tac&gt;</c> for the LAC, parameters may be empty).
/// </summary>
/// <param name="Mode">The read answer's <c>&lt;n&gt;</c> (URC reporting mode); null for a URC.</param>
/// <param name="Area">LAC or TAC (hex) when reported (n=2).</param>
/// <param name="CellId">Cell id (hex) when reported.</param>
public sealed record NetworkRegistration(RegistrationDomain Domain, RegistrationState State, int? Mode, string? Area, string? CellId, AccessTechnology? Technology)
{
    /// <summary>Registered, at home or roaming (SMS-only and CSFB-not-preferred registrations included).</summary>
    public bool IsRegistered => State is RegistrationState.RegisteredHome or RegistrationState.RegisteredRoaming
        or RegistrationState.RegisteredHomeSmsOnly or RegistrationState.RegisteredRoamingSmsOnly
        or RegistrationState.RegisteredHomeCsfbNotPreferred or RegistrationState.RegisteredRoamingCsfbNotPreferred;

    public bool IsRoaming => State is RegistrationState.RegisteredRoaming or RegistrationState.RegisteredRoamingSmsOnly or RegistrationState.RegisteredRoamingCsfbNotPreferred;

    /// <summary>The line's prefix of a domain.</summary>
    public static string PrefixOf(RegistrationDomain domain) => domain switch
    {
        RegistrationDomain.CircuitSwitched => "+CREG",
        RegistrationDomain.Gprs => "+CGREG",
        _ => "+CEREG",
    };

    /// <summary>Parses a read answer or a URC of any of the three.</summary>
    public static bool TryParse(string line, [NotNullWhen(true)] out NetworkRegistration? value, out AtFormatError error)
    {
        value = null;
        RegistrationDomain domain;
        string payload;
        if (AtFields.TryPayload(line, "+CREG", out payload)) domain = RegistrationDomain.CircuitSwitched;
        else if (AtFields.TryPayload(line, "+CGREG", out payload)) domain = RegistrationDomain.Gprs;
        else if (AtFields.TryPayload(line, "+CEREG", out payload)) domain = RegistrationDomain.Eps;
        else { error = AtFormatError.MissingPrefix; return false; }

        var f = AtFields.Split(payload);
        if (f.Count == 0) { error = AtFormatError.MissingField; return false; }
        // The read answer starts <n>,<stat> (two bare numbers); a URC starts <stat> and, with n=2, a quoted LAC.
        // So a URC is one parameter, or a quoted second one; three bare ones are a URC from firmware
        // that leaves the LAC's quotes out (stat,lac,ci), as a read answer never has three.
        var isUrc = f.Count == 1 || f[1].Quoted || (f.Count == 3 && !f[2].Quoted);
        var isRead = !isUrc;
        int? mode = null;
        var next = 0;
        if (isRead)
        {
            error = AtFields.TryInt(f[0], 0, 5, out var n);
            if (error != AtFormatError.None) return false;
            mode = n;
            next = 1;
        }
        error = AtFields.TryInt(f[next], 0, 11, out var stat);
        if (error != AtFormatError.None) return false;
        string? area = null, cell = null;
        AccessTechnology? act = null;
        if (f.Count > next + 1)
        {
            if (f.Count < next + 3) { error = AtFormatError.MissingField; return false; }
            area = Hex(f[next + 1], ref error);
            cell = Hex(f[next + 2], ref error);
            if (error != AtFormatError.None) return false;
            if (f.Count > next + 3 && !f[next + 3].IsEmpty)
            {
                error = AtFields.TryInt(f[next + 3], 0, (int)AccessTechnology.EUtraNrDual, out var t);
                if (error != AtFormatError.None) return false;
                act = (AccessTechnology)t;
            }
        }
        value = new NetworkRegistration(domain, (RegistrationState)stat, mode, area, cell, act);
        return true;
    }

    /// <summary>An omitted parameter is null; anything else must be hex (quoted per the clause; some firmware leaves the quotes out).</summary>
    private static string? Hex(AtField field, ref AtFormatError error)
    {
        if (field.Text.Length == 0) return null;
        if (!AtFields.IsHex(field.Text)) error = AtFormatError.BadValue;
        return field.Text.ToUpperInvariant();
    }
}
