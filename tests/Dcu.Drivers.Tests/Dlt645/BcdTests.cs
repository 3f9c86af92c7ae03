using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Tests.Modbus;

namespace Dcu.Drivers.Tests.Dlt645;

public class BcdTests
{
    [Theory]
    [InlineData("56341200", 2, false, "1234.56")]    // XXXXXX.XX, low byte first
    [InlineData("563412", 4, false, "12.3456")]
    [InlineData("0122", 1, false, "220.1")]           // XXX.X V
    [InlineData("235100", 3, false, "5.123")]         // XXX.XXX A
    [InlineData("235180", 3, true, "-5.123")]         // sign bit set
    [InlineData("000080", 4, true, "0")]              // negative zero reads as 0
    [InlineData("5000", 3, true, "0.050")]
    [InlineData("9999", 3, true, "-1.999")]           // 0x99: sign bit + digits 19
    public void Decodes_known_values(string hex, int decimals, bool signed, string expected)
    {
        Assert.True(Bcd.TryDecode(Hex.Bytes(hex), decimals, signed, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("FFFF")]
    [InlineData("1A00")]
    [InlineData("00A0")]
    public void Invalid_nibbles_fail_and_Decode_throws_a_clear_FormatException(string hex)
    {
        Assert.False(Bcd.TryDecode(Hex.Bytes(hex), 0, false, out _));
        Assert.False(Bcd.IsValid(Hex.Bytes(hex)));
        var ex = Assert.Throws<FormatException>(() => Bcd.Decode(Hex.Bytes(hex), 1, false));
        Assert.Contains(hex, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sign_bit_is_not_a_nibble_error_only_when_signed()
    {
        Assert.True(Bcd.IsValid(Hex.Bytes("00A0"), signed: true));
        Assert.False(Bcd.IsValid(Hex.Bytes("00A0"), signed: false));
    }

    [Theory]
    [InlineData("1234.56", 4, 2, false, "56341200")]
    [InlineData("220.1", 2, 1, false, "0122")]
    [InlineData("-5.123", 3, 3, true, "235180")]
    [InlineData("1.23456", 3, 4, true, "462301")] // rounds half away from zero
    public void Encodes_known_values(string value, int length, int decimals, bool signed, string expected)
    {
        var bytes = new byte[length];
        Bcd.Encode(bytes, decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), decimals, signed);
        Assert.Equal(expected, Hex.Of(bytes));
    }

    [Fact]
    public void Encode_refuses_values_that_do_not_fit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Bcd.Encode(new byte[2], 100.0m, 2, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bcd.Encode(new byte[2], -1m, 0, false));
        // Signed: the top digit may only be 0..7.
        Assert.Throws<ArgumentOutOfRangeException>(() => Bcd.Encode(new byte[2], 8000m, 0, true));
        var ok = new byte[2];
        Bcd.Encode(ok, 7999m, 0, true);
        Assert.Equal("9979", Hex.Of(ok));
    }

    [Fact]
    public void Round_trips_with_a_fixed_seed()
    {
        var random = new Random(645);
        var bytes = new byte[4];
        for (var i = 0; i < 2000; i++)
        {
            var signed = random.Next(2) == 0;
            var decimals = random.Next(5);
            var raw = random.Next(0, signed ? 80_000_000 : 100_000_000);
            var value = (signed && random.Next(2) == 0 ? -raw : raw) / (decimal)Math.Pow(10, decimals);
            Bcd.Encode(bytes, value, decimals, signed);
            Assert.Equal(value, Bcd.Decode(bytes, decimals, signed));
        }
    }

    [Fact]
    public void Single_bytes()
    {
        Assert.Equal(0x59, Bcd.EncodeByte(59));
        Assert.Equal(59, Bcd.DecodeByte(0x59));
        Assert.Equal(-1, Bcd.DecodeByte(0x5A));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bcd.EncodeByte(100));
    }
}
