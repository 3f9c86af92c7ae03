namespace Dcu.Drivers.Cellular;

/// <summary>Which registration a line reports: circuit switched (+CREG), GPRS (+CGREG) or EPS/LTE (+CEREG).</summary>
public enum RegistrationDomain
{
    CircuitSwitched,
    Gprs,
    Eps,
}
