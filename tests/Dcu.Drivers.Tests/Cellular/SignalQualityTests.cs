using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>+CSQ, TS 27.007 8.5: every boundary of the rssi mapping, and what is refused.</summary>
public sealed class SignalQualityTests
{
    [Theory]
    [InlineData("+CSQ: 0,99", 0, -113, 0)]
    [InlineData("+CSQ: 1,99", 1, -111, 3)]
    [InlineData("+CSQ: 2,0", 2, -109, 6)]
    [InlineData("+CSQ: 17,99", 17, -79, 55)]
    [InlineData("+CSQ: 30,7", 30, -53, 97)]
    [InlineData("+CSQ: 31,99", 31, -51, 100)]
    [InlineData("+csq:15,3", 15, -83, 48)]
    public void Rssi_to_dbm_and_percent(string line, int rssi, int dbm, int percent)
    {
        Assert.True(SignalQuality.TryParse(line, out var q, out var error));
        Assert.Equal(AtFormatError.None, error);
        Assert.Equal(rssi, q.Rssi);
        Assert.Equal(dbm, q.Dbm);
        Assert.Equal(percent, q.QualityPercent);
    }

    [Fact]
    public void Rssi_99_is_not_known()
    {
        Assert.True(SignalQuality.TryParse("+CSQ: 99,99", out var q, out _));
        Assert.Null(q.Dbm);
        Assert.Null(q.QualityPercent);
    }

    [Theory]
    [InlineData("+CSQ: 32,99", AtFormatError.OutOfRange)]
    [InlineData("+CSQ: 98,99", AtFormatError.OutOfRange)]
    [InlineData("+CSQ: 100,99", AtFormatError.OutOfRange)]
    [InlineData("+CSQ: 17,8", AtFormatError.OutOfRange)]
    [InlineData("+CSQ: -1,99", AtFormatError.NotANumber)]
    [InlineData("+CSQ: x,99", AtFormatError.NotANumber)]
    [InlineData("+CSQ: 17", AtFormatError.MissingField)]
    [InlineData("+CSQ:", AtFormatError.MissingField)]
    [InlineData("+CESQ: 99,99,255,255,20,50", AtFormatError.MissingPrefix)]
    [InlineData("17,99", AtFormatError.MissingPrefix)]
    public void Bad_csq_lines_are_a_typed_error(string line, AtFormatError expected)
    {
        Assert.False(SignalQuality.TryParse(line, out var q, out var error));
        Assert.Null(q);
        Assert.Equal(expected, error);
    }
}
