using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>+CPIN (TS 27.007 8.3), +COPS (7.3), +CGSN (5.4) and the vendor ICCID answers.</summary>
public sealed class SimOperatorIdentityTests
{
    [Theory]
    [InlineData("+CPIN: READY", SimState.Ready)]
    [InlineData("+CPIN: SIM PIN", SimState.PinRequired)]
    [InlineData("+CPIN: SIM PUK", SimState.PukRequired)]
    [InlineData("+CPIN: SIM PIN2", SimState.Pin2Required)]
    [InlineData("+CPIN: PH-NET PIN", SimState.PhoneLocked)]
    [InlineData("+CPIN: NOT READY", SimState.NotReady)]
    [InlineData("+CPIN: NOT INSERTED", SimState.NotInserted)]
    [InlineData("+CPIN: \"READY\"", SimState.Ready)]
    public void Cpin_codes(string line, SimState expected)
    {
        Assert.True(SimStates.TryParse(line, out var state, out _));
        Assert.Equal(expected, state);
    }

    [Theory]
    [InlineData("+CPIN: WHATEVER", AtFormatError.BadValue)]
    [InlineData("+CPIN:", AtFormatError.MissingField)]
    [InlineData("READY", AtFormatError.MissingPrefix)]
    public void Bad_cpin_lines(string line, AtFormatError expected)
    {
        Assert.False(SimStates.TryParse(line, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(10, SimState.NotInserted)]
    [InlineData(11, SimState.PinRequired)]
    [InlineData(12, SimState.PukRequired)]
    [InlineData(13, SimState.Failure)]
    [InlineData(14, SimState.Busy)]
    [InlineData(5, SimState.PhoneLocked)]
    public void Sim_cme_errors(int code, SimState expected) => Assert.Equal(expected, SimStates.FromCmeError(code));

    [Fact]
    public void Other_cme_errors_say_nothing_about_the_sim() => Assert.Null(SimStates.FromCmeError(30));

    [Theory]
    [InlineData("+COPS: 0,0,\"Vodafone.de\",7", 0, 0, "Vodafone.de", AccessTechnology.EUtran)]
    [InlineData("+COPS: 0,2,\"26202\",2", 0, 2, "26202", AccessTechnology.Utran)]
    [InlineData("+COPS: 1,1,\"TMO\"", 1, 1, "TMO", null)]
    [InlineData("+COPS: 0", 0, null, null, null)]
    [InlineData("+COPS: 0,0,\"Orange, F\",7", 0, 0, "Orange, F", AccessTechnology.EUtran)]
    public void Cops_read(string line, int mode, int? format, string? name, AccessTechnology? act)
    {
        Assert.True(OperatorSelection.TryParse(line, out var op, out _));
        Assert.Equal(new OperatorSelection(mode, format, name, act), op);
    }

    [Theory]
    [InlineData("+COPS: 0,0", AtFormatError.MissingField)]
    [InlineData("+COPS: 9", AtFormatError.OutOfRange)]
    [InlineData("+COPS: 0,0,\"X\",77", AtFormatError.OutOfRange)]
    public void Bad_cops_lines(string line, AtFormatError expected)
    {
        Assert.False(OperatorSelection.TryParse(line, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("356938035643809", "356938035643809")]
    [InlineData("+CGSN: \"356938035643809\"", "356938035643809")]
    [InlineData("+CGSN: 3569380356438091", "3569380356438091")]
    public void Imei(string line, string expected)
    {
        Assert.True(ModemIdentity.TryParseImei(line, out var imei, out _));
        Assert.Equal(expected, imei);
    }

    [Theory]
    [InlineData("35693803564380", AtFormatError.BadValue)]
    [InlineData("35693803564380X", AtFormatError.BadValue)]
    [InlineData("+CGSN:", AtFormatError.MissingField)]
    public void Bad_imei(string line, AtFormatError expected)
    {
        Assert.False(ModemIdentity.TryParseImei(line, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("+CCID: 89490200001234567890", "89490200001234567890")]
    [InlineData("+CCID: \"89490200001234567890\"", "89490200001234567890")]
    [InlineData("89490200001234567890", "89490200001234567890")]
    [InlineData("+ICCID: 8944110068012345678F", "8944110068012345678F")]
    [InlineData("ICCID: 8901260882212345678", "8901260882212345678")]
    [InlineData("+QCCID: 89860318760231234567", "89860318760231234567")]
    public void Iccid_of_every_vendor_variant(string line, string expected)
    {
        Assert.True(ModemIdentity.TryParseIccid(line, out var iccid, out _));
        Assert.Equal(expected, iccid);
        Assert.Equal("..." + expected[^4..], ModemIdentity.Tail(iccid));
    }

    [Theory]
    [InlineData("+CCID: 1234", AtFormatError.BadValue)]
    [InlineData("+CCID: 8949020000123456789Z", AtFormatError.BadValue)]
    [InlineData("+ICCID:", AtFormatError.MissingField)]
    public void Bad_iccid(string line, AtFormatError expected)
    {
        Assert.False(ModemIdentity.TryParseIccid(line, out _, out var error));
        Assert.Equal(expected, error);
    }
}
