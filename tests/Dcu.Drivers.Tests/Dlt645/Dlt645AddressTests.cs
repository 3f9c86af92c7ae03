using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Tests.Modbus;

namespace Dcu.Drivers.Tests.Dlt645;

public class Dlt645AddressTests
{
    [Fact]
    public void Parses_and_writes_low_byte_first()
    {
        var address = Dlt645Address.Parse("123456789012");
        var wire = new byte[6];
        address.WriteTo(wire);
        Assert.Equal("129078563412", Hex.Of(wire));
        Assert.Equal("123456789012", address.ToString());
        Assert.True(Dlt645Address.TryRead(wire, out var back));
        Assert.Equal(address, back);
        Assert.True(address.IsUnicast);
    }

    [Fact]
    public void Broadcast_and_wildcard()
    {
        Assert.Equal("999999999999", Dlt645Address.Broadcast.ToString());
        Assert.True(Dlt645Address.Broadcast.IsBroadcast);
        Assert.Equal("AAAAAAAAAAAA", Dlt645Address.Wildcard.ToString());
        Assert.True(Dlt645Address.Wildcard.HasWildcard);
        var meter = Dlt645Address.Parse("123456789012");
        Assert.True(Dlt645Address.Wildcard.Matches(meter));
        Assert.True(Dlt645Address.Parse("AAAA56789012").Matches(meter));
        Assert.False(Dlt645Address.Parse("AAAA56789013").Matches(meter));
        Assert.Equal(Dlt645Address.Parse("aaaa56789012"), Dlt645Address.Parse("AAAA56789012"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345678901")]
    [InlineData("1234567890123")]
    [InlineData("12345678901A")]
    [InlineData("12345678901x")]
    [InlineData(null)]
    public void Rejects_malformed_text(string? text) => Assert.False(Dlt645Address.TryParse(text, out _));

    [Fact]
    public void Rejects_non_BCD_wire_bytes() => Assert.False(Dlt645Address.TryRead(Hex.Bytes("12907856341F"), out _));
}
