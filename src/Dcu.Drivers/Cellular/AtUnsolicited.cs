namespace Dcu.Drivers.Cellular;

/// <summary>
/// Tells unsolicited result codes (URCs) from the answer of the command in flight. A URC may come at
/// any time, also between the lines of an answer (TS 27.007 4.1 leaves it to the TA; most buffer
/// them, not all). A line is one when its name is a known URC and is not the name the command in
/// flight answers with: <c>+CREG: 1</c> during <c>AT+CSQ</c> is a URC, <c>+CREG: 0,1</c> during
/// <c>AT+CREG?</c> is the answer.
/// </summary>
public static class AtUnsolicited
{
    /// <summary>TS 27.007 / 27.005 URCs and the vendor ones common on 3G/4G modules (Quectel, SIMCom, Huawei, u-blox).</summary>
    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        "RING", "+CRING", "+CLIP", "+CCWA", "+CSSI", "+CSSU", "+CUSD", "NO CARRIER",
        "+CREG", "+CGREG", "+CEREG", "+C5GREG", "+CGEV", "+CIEV", "+CTZV", "+CTZE", "+CTZEU",
        "+CMTI", "+CMT", "+CDS", "+CDSI", "+CBM", "+CPIN", "+CFUN", "+CUSATP", "+STIN",
        "RDY", "SMS DONE", "PB DONE", "+QIND", "+QUSIM", "+PACSP", "+CPSI", "*PSUTTZ", "+PSUTTZ", "DST",
        "^RSSI", "^HCSQ", "^MODE", "^BOOT", "^SRVST", "^SIMST", "^SYSSTART", "+UUPSDA", "+UUPSDD",
    };

    /// <summary>The name of a line: <c>+CREG</c> of <c>+CREG: 1</c>, the whole line for <c>RING</c>.</summary>
    public static string NameOf(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        var colon = text.IndexOf(':');
        return colon > 0 && text[0] is '+' or '^' or '*' ? text[..colon].Trim() : text;
    }

    /// <summary>The name an answer to <paramref name="command"/> starts with: <c>+CSQ</c> for <c>AT+CSQ</c>, <c>+CREG</c> for <c>AT+CREG?</c>; null for basic commands (ATE0).</summary>
    public static string? ResponseNameOf(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var text = command.Trim();
        if (text.Length < 3 || !text.StartsWith("AT", StringComparison.OrdinalIgnoreCase) || text[2] is not ('+' or '^' or '*' or '$')) return null;
        var end = 3;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '.')) end++;
        return text[2..end];
    }

    /// <summary>True when <paramref name="line"/> is a URC while <paramref name="commandInFlight"/> (or nothing) awaits its answer.</summary>
    public static bool IsUnsolicited(string line, string? commandInFlight)
    {
        var name = NameOf(line);
        if (!Known.Contains(name)) return false;
        return commandInFlight is null || !string.Equals(ResponseNameOf(commandInFlight), name, StringComparison.OrdinalIgnoreCase);
    }
}
