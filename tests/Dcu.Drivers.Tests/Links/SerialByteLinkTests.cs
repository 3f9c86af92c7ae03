using Dcu.Drivers.Links;

namespace Dcu.Drivers.Tests.Links;

public class SerialByteLinkTests
{
    [Theory]
    [InlineData(SerialParity.None, 1, 10)]
    [InlineData(SerialParity.None, 2, 11)]
    [InlineData(SerialParity.Even, 1, 11)]
    [InlineData(SerialParity.Odd, 1, 11)]
    public void Bits_per_character_counts_start_data_parity_stop(SerialParity parity, int stopBits, int expected)
    {
        var link = new SerialByteLink(new SerialLinkOptions { PortName = "/dev/ttyUSB9", Parity = parity, StopBits = stopBits });
        Assert.Equal(expected, link.BitsPerCharacter);
        Assert.Equal(9600, link.BaudRate);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SerialByteLink(new SerialLinkOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SerialByteLink(new SerialLinkOptions { PortName = "/dev/x", StopBits = 3 }));
    }

    [Fact]
    public void Rs485_ioctl_on_a_non_uart_is_not_supported_rather_than_an_error()
    {
        Assert.Equal(Rs485Native.ENOTTY, Rs485Native.TryEnable("/dev/null", true, 0, 0));
    }

    [Fact]
    public async Task Reading_before_open_is_refused()
    {
        await using var link = new SerialByteLink(new SerialLinkOptions { PortName = "/dev/ttyUSB9" });
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await link.ReadAsync(new byte[1], CancellationToken.None));
    }
}
