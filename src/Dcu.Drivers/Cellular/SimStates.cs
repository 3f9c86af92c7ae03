namespace Dcu.Drivers.Cellular;

/// <summary><c>+CPIN: &lt;code&gt;</c> (TS 27.007 8.3) and the SIM-related <c>+CME ERROR</c> values (9.2.1) as a <see cref="SimState"/>.</summary>
public static class SimStates
{
    public static bool TryParse(string line, out SimState state, out AtFormatError error)
    {
        state = SimState.Unknown;
        if (!AtFields.TryPayload(line, "+CPIN", out var payload)) { error = AtFormatError.MissingPrefix; return false; }
        var code = payload.Trim('"').Trim().ToUpperInvariant();
        state = code switch
        {
            "READY" => SimState.Ready,
            "SIM PIN" => SimState.PinRequired,
            "SIM PUK" => SimState.PukRequired,
            "SIM PIN2" or "SIM PUK2" => SimState.Pin2Required,
            "NOT READY" => SimState.NotReady,
            "NOT INSERTED" => SimState.NotInserted,
            _ when code.StartsWith("PH-", StringComparison.Ordinal) && (code.EndsWith(" PIN", StringComparison.Ordinal) || code.EndsWith(" PUK", StringComparison.Ordinal)) => SimState.PhoneLocked,
            _ => SimState.Unknown,
        };
        error = state == SimState.Unknown ? (code.Length == 0 ? AtFormatError.MissingField : AtFormatError.BadValue) : AtFormatError.None;
        return error == AtFormatError.None;
    }

    /// <summary>What a +CME ERROR says about the SIM, or null when it is not about the SIM.</summary>
    public static SimState? FromCmeError(int code) => (CmeErrorCode)code switch
    {
        CmeErrorCode.SimNotInserted => SimState.NotInserted,
        CmeErrorCode.SimPinRequired => SimState.PinRequired,
        CmeErrorCode.SimPukRequired => SimState.PukRequired,
        CmeErrorCode.SimPin2Required or CmeErrorCode.SimPuk2Required => SimState.Pin2Required,
        CmeErrorCode.PhSimPinRequired or CmeErrorCode.PhFSimPinRequired or CmeErrorCode.PhFSimPukRequired => SimState.PhoneLocked,
        CmeErrorCode.SimFailure or CmeErrorCode.SimWrong => SimState.Failure,
        CmeErrorCode.SimBusy => SimState.Busy,
        _ => null,
    };
}
