using System.Text;
using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Modbus;

public class ModbusCrcTests
{
    [Fact]
    public void Check_value_of_123456789_is_4B37() =>
        Assert.Equal(0x4B37, ModbusCrc.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Theory]
    [InlineData("01 04 00 00 00 02 71 CB")]
    [InlineData("01 04 04 43 66 33 33 5A FA")]
    [InlineData("11 03 06 02 2B 00 00 00 64 C8 BA")]
    [InlineData("01 10 00 01 00 02 10 08")]
    [InlineData("01 84 02 C2 C1")]
    [InlineData("01 83 01 80 F0")]
    public void Verified_frames_check(string frame)
    {
        Assert.True(ModbusCrc.Check(Hex.Bytes(frame)));
    }

    [Fact]
    public void Flipped_bit_fails_check()
    {
        var frame = Hex.Bytes("01 04 00 00 00 02 71 CB");
        frame[3] ^= 0x01;
        Assert.False(ModbusCrc.Check(frame));
    }

    [Fact]
    public void Crc_is_written_low_byte_first()
    {
        var dest = new byte[2];
        ModbusCrc.Write(dest, 0xCB71);
        Assert.Equal(Hex.Bytes("71 CB"), dest);
    }
}
