using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Modbus;

public class ModbusTimingTests
{
    [Theory]
    [InlineData(9600, 1.719, 4.010)]
    [InlineData(19200, 0.859, 2.005)]
    [InlineData(38400, 0.750, 1.750)]
    [InlineData(115200, 0.750, 1.750)]
    public void T15_and_t35_match_the_spec(int baud, double t15Ms, double t35Ms)
    {
        Assert.Equal(t15Ms, ModbusTiming.T15(baud, 11).TotalMilliseconds, 3);
        Assert.Equal(t35Ms, ModbusTiming.T35(baud, 11).TotalMilliseconds, 3);
    }

    [Fact]
    public void Character_time_at_9600_8N1_is_10_bits()
    {
        Assert.Equal(1.0417, ModbusTiming.CharacterTime(9600, 10).TotalMilliseconds, 3);
    }

    [Fact]
    public void No_baud_timing_means_zero()
    {
        Assert.Equal(TimeSpan.Zero, ModbusTiming.T35(0, 0));
        Assert.Equal(TimeSpan.Zero, ModbusTiming.CharacterTime(0, 0));
    }
}
