namespace Dcu.Drivers.Cellular;

/// <summary><c>&lt;stat&gt;</c> of +CREG (TS 27.007 7.2), +CGREG (10.1.20) and +CEREG (10.1.22).</summary>
public enum RegistrationState
{
    /// <summary>Not registered, not searching for an operator.</summary>
    NotRegistered = 0,
    RegisteredHome = 1,

    /// <summary>Not registered, searching for an operator.</summary>
    Searching = 2,
    Denied = 3,
    Unknown = 4,
    RegisteredRoaming = 5,
    RegisteredHomeSmsOnly = 6,
    RegisteredRoamingSmsOnly = 7,
    EmergencyOnly = 8,
    RegisteredHomeCsfbNotPreferred = 9,
    RegisteredRoamingCsfbNotPreferred = 10,
    EmergencyBearerOnly = 11,
}
