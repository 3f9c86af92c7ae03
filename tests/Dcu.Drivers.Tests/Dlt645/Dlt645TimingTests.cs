using Dcu.Drivers.Dlt645;

namespace Dcu.Drivers.Tests.Dlt645;

public class Dlt645TimingTests
{
    [Fact]
    public void A_character_at_2400_8E1_is_11_bits()
    {
        Assert.Equal(TimeSpan.FromTicks(45_833), Dlt645Timing.CharacterTime());
        Assert.Equal(11.0 / 9.6, Dlt645Timing.CharacterTime(9600).TotalMilliseconds, 3);
    }

    [Fact]
    public void A_4_byte_energy_read_with_FE_both_ways_is_44_characters()
    {
        // 20-byte request (4 FE + 16) and 24-byte reply (4 FE + 20, of which 4 DI + 4 value bytes): 44 x 11 / 2400 s.
        Assert.Equal(44 * 11 / 2.4, Dlt645Timing.ReadExchangeWireTime(4).TotalMilliseconds, 3);
        // Without wake-up bytes: the verified 16-byte request and 20-byte reply.
        Assert.Equal(Dlt645Timing.WireTime(36), Dlt645Timing.ReadExchangeWireTime(4, 0, 0));
        Assert.Equal(165.0, Dlt645Timing.ReadExchangeWireTime(4, 0, 0).TotalMilliseconds, 3);
    }
}
