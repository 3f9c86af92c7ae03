using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>+CREG (TS 27.007 7.2), +CGREG (10.1.20), +CEREG (10.1.22): read answers for n=0/1/2 and URCs, with and without location and AcT.</summary>
public sealed class NetworkRegistrationTests
{
    [Theory]
    // Read answers: <n>,<stat>[,<lac>,<ci>[,<AcT>]]
    [InlineData("+CREG: 0,1", RegistrationDomain.CircuitSwitched, 0, RegistrationState.RegisteredHome, null, null, null)]
    [InlineData("+CREG: 1,5", RegistrationDomain.CircuitSwitched, 1, RegistrationState.RegisteredRoaming, null, null, null)]
    [InlineData("+CREG: 2,1,\"00C3\",\"0000A13B\"", RegistrationDomain.CircuitSwitched, 2, RegistrationState.RegisteredHome, "00C3", "0000A13B", null)]
    [InlineData("+CREG: 2,1,\"00c3\",\"0000a13b\",2", RegistrationDomain.CircuitSwitched, 2, RegistrationState.RegisteredHome, "00C3", "0000A13B", AccessTechnology.Utran)]
    [InlineData("+CREG: 2,0", RegistrationDomain.CircuitSwitched, 2, RegistrationState.NotRegistered, null, null, null)]
    [InlineData("+CGREG: 2,1,\"1A2B\",\"01C2D3E4\",6,\"01\"", RegistrationDomain.Gprs, 2, RegistrationState.RegisteredHome, "1A2B", "01C2D3E4", AccessTechnology.UtranHspa)]
    [InlineData("+CEREG: 2,5,\"1F4A\",\"01A2B3C4\",7", RegistrationDomain.Eps, 2, RegistrationState.RegisteredRoaming, "1F4A", "01A2B3C4", AccessTechnology.EUtran)]
    [InlineData("+CEREG: 2,1,,,7", RegistrationDomain.Eps, 2, RegistrationState.RegisteredHome, null, null, AccessTechnology.EUtran)]
    [InlineData("+CEREG: 0,2", RegistrationDomain.Eps, 0, RegistrationState.Searching, null, null, null)]
    [InlineData("+CEREG: 0,3", RegistrationDomain.Eps, 0, RegistrationState.Denied, null, null, null)]
    [InlineData("+CEREG: 0,4", RegistrationDomain.Eps, 0, RegistrationState.Unknown, null, null, null)]
    // URCs: <stat>[,<lac>,<ci>[,<AcT>]]
    [InlineData("+CREG: 1", RegistrationDomain.CircuitSwitched, null, RegistrationState.RegisteredHome, null, null, null)]
    [InlineData("+CEREG: 5", RegistrationDomain.Eps, null, RegistrationState.RegisteredRoaming, null, null, null)]
    [InlineData("+CREG: 1,\"00C3\",\"0000A13B\"", RegistrationDomain.CircuitSwitched, null, RegistrationState.RegisteredHome, "00C3", "0000A13B", null)]
    [InlineData("+CREG: 5,\"00C3\",\"0000A13B\",0", RegistrationDomain.CircuitSwitched, null, RegistrationState.RegisteredRoaming, "00C3", "0000A13B", AccessTechnology.Gsm)]
    [InlineData("+CEREG: 1,\"1F4A\",\"01A2B3C4\",7", RegistrationDomain.Eps, null, RegistrationState.RegisteredHome, "1F4A", "01A2B3C4", AccessTechnology.EUtran)]
    public void Every_form(string line, RegistrationDomain domain, int? mode, RegistrationState state, string? area, string? cell, AccessTechnology? act)
    {
        Assert.True(NetworkRegistration.TryParse(line, out var r, out var error), error.ToString());
        Assert.Equal(new NetworkRegistration(domain, state, mode, area, cell, act), r);
    }

    [Theory]
    [InlineData(RegistrationState.NotRegistered, false)]
    [InlineData(RegistrationState.RegisteredHome, true)]
    [InlineData(RegistrationState.Searching, false)]
    [InlineData(RegistrationState.Denied, false)]
    [InlineData(RegistrationState.Unknown, false)]
    [InlineData(RegistrationState.RegisteredRoaming, true)]
    [InlineData(RegistrationState.RegisteredHomeSmsOnly, true)]
    [InlineData(RegistrationState.EmergencyOnly, false)]
    public void Which_states_are_registered(RegistrationState state, bool registered) =>
        Assert.Equal(registered, new NetworkRegistration(RegistrationDomain.Eps, state, 0, null, null, null).IsRegistered);

    [Theory]
    [InlineData("+CREG: 0,12", AtFormatError.OutOfRange)]
    [InlineData("+CREG: 6,1", AtFormatError.OutOfRange)]
    [InlineData("+CREG: a,1", AtFormatError.NotANumber)]
    [InlineData("+CREG:", AtFormatError.MissingField)]
    [InlineData("+CREG: 2,1,\"00C3\"", AtFormatError.MissingField)]
    [InlineData("+CREG: 2,1,\"XYZ\",\"0000A13B\"", AtFormatError.BadValue)]
    [InlineData("+CEREG: 2,1,\"1F4A\",\"01A2B3C4\",99", AtFormatError.OutOfRange)]
    [InlineData("+COPS: 0", AtFormatError.MissingPrefix)]
    public void Bad_registration_lines_are_a_typed_error(string line, AtFormatError expected)
    {
        Assert.False(NetworkRegistration.TryParse(line, out _, out var error));
        Assert.Equal(expected, error);
    }
}
