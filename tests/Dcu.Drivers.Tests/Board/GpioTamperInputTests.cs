using System.Device.Gpio;
using Dcu.Drivers.Board;

namespace Dcu.Drivers.Tests.Board;

public sealed class GpioTamperInputTests
{
    [Theory]
    [InlineData(false, 1, true)]
    [InlineData(false, 0, false)]
    [InlineData(true, 0, true)]
    [InlineData(true, 1, false)]
    public void Reads_the_line_as_an_input_at_its_active_level(bool activeLow, int level, bool tampered)
    {
        var driver = new FakeGpioDriver();
        using var input = new GpioTamperInput(new GpioController(driver), 17, activeLow, "gpiochip0");
        Assert.Equal(PinMode.Input, driver.Modes[17]);
        driver.Levels[17] = level == 1 ? PinValue.High : PinValue.Low;
        Assert.Equal(tampered, input.IsActive());
        Assert.Contains("gpiochip0 line 17", input.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_chip_is_an_IOException_that_says_so()
    {
        var dev = Directory.CreateTempSubdirectory("dcu-dev-");
        try
        {
            var missing = Assert.Throws<IOException>(() => GpioTamperInput.Open(3, 17, false, dev.FullName));
            Assert.Contains("gpiochip3 does not exist", missing.Message, StringComparison.Ordinal);
            var none = Assert.Throws<IOException>(() => GpioTamperInput.Open(null, 17, false, dev.FullName));
            Assert.Contains("no GPIO chip", none.Message, StringComparison.Ordinal);
        }
        finally
        {
            dev.Delete(recursive: true);
        }
    }
}
