using System.Device.Gpio;
using Dcu.Core.Abstractions;
using Dcu.Drivers.Board;

namespace Dcu.Drivers.Tests.Board;

public sealed class GpioStatusLedsTests
{
    private static readonly StatusLedPins ThreeLeds = new(Run: 5, Uplink: 6, Fault: 13);

    [Fact]
    public void Opens_each_fitted_LED_as_an_output_dark_from_the_first_write()
    {
        var driver = new FakeGpioDriver();
        using var leds = new GpioStatusLeds(new GpioController(driver), ThreeLeds, activeLow: false, "gpiochip0");

        Assert.Equal([5, 6, 13], driver.Open.Order());
        Assert.All([5, 6, 13], pin => Assert.Equal(PinMode.Output, driver.Modes[pin]));
        // Never lit on the way up: every write so far is the dark level.
        Assert.All(driver.Writes, w => Assert.Equal(PinValue.Low, w.Value));
        Assert.Equal("gpiochip0 lines run 5, uplink 6, fault 13 (active high)", leds.Name);
    }

    [Theory]
    [InlineData(false, true, 1)]
    [InlineData(false, false, 0)]
    [InlineData(true, true, 0)]
    [InlineData(true, false, 1)]
    public void Writes_the_active_level_and_active_low_inverts(bool activeLow, bool on, int level)
    {
        var driver = new FakeGpioDriver();
        using var leds = new GpioStatusLeds(new GpioController(driver), ThreeLeds, activeLow);

        leds.Set(StatusLed.Uplink, on);

        Assert.Equal(level == 1 ? PinValue.High : PinValue.Low, driver.Levels[6]);
        // The others stay dark.
        var dark = activeLow ? PinValue.High : PinValue.Low;
        Assert.Equal(dark, driver.Levels[5]);
        Assert.Equal(dark, driver.Levels[13]);
    }

    [Fact]
    public void An_LED_without_a_line_is_not_driven()
    {
        var driver = new FakeGpioDriver();
        using var leds = new GpioStatusLeds(new GpioController(driver), new StatusLedPins(Run: 5, Uplink: null, Fault: null), activeLow: false);
        var writes = driver.Writes.Count;

        leds.Set(StatusLed.Fault, true);
        leds.Set(StatusLed.Uplink, true);

        Assert.Equal([5], driver.Open);
        Assert.Equal(writes, driver.Writes.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dispose_darkens_every_LED_closes_the_lines_and_the_controller_it_owns(bool activeLow)
    {
        var driver = new FakeGpioDriver();
        var leds = new GpioStatusLeds(new GpioController(driver), ThreeLeds, activeLow);
        leds.Set(StatusLed.Run, true);
        leds.Set(StatusLed.Fault, true);

        leds.Dispose();

        var dark = activeLow ? PinValue.High : PinValue.Low;
        Assert.Equal([(5, dark), (6, dark), (13, dark)], driver.Writes.TakeLast(3).OrderBy(w => w.Pin));
        Assert.Empty(driver.Open);
        Assert.True(driver.Disposed);
        Assert.Throws<ObjectDisposedException>(() => leds.Set(StatusLed.Run, true));
        leds.Dispose(); // twice is harmless
    }

    [Fact]
    public void A_controller_it_does_not_own_stays_open()
    {
        var driver = new FakeGpioDriver();
        using var controller = new GpioController(driver);
        new GpioStatusLeds(controller, ThreeLeds, activeLow: false, ownsController: false).Dispose();
        Assert.False(driver.Disposed);
        Assert.Empty(driver.Open);
    }

    [Fact]
    public void A_line_given_to_two_LEDs_is_refused_and_nothing_stays_open()
    {
        var driver = new FakeGpioDriver();
        var controller = new GpioController(driver);
        Assert.Throws<ArgumentException>(() => new GpioStatusLeds(controller, new StatusLedPins(5, 5, null), activeLow: false));
        Assert.Empty(driver.Open);
    }

    [Fact]
    public void A_line_that_cannot_be_written_throws_from_Set_and_does_not_keep_the_others_open()
    {
        var driver = new FakeGpioDriver { FailingPin = 13 };
        // The failing line's initial dark level cannot be written: construction fails, the lines opened so far are closed.
        Assert.ThrowsAny<IOException>(() => new GpioStatusLeds(new GpioController(driver), ThreeLeds, activeLow: false));
        Assert.Empty(driver.Open);
    }

    [Fact]
    public void A_missing_chip_is_an_IOException_that_says_so()
    {
        var dev = Directory.CreateTempSubdirectory("dcu-dev-");
        try
        {
            var missing = Assert.Throws<IOException>(() => GpioStatusLeds.Open(3, ThreeLeds, false, dev.FullName));
            Assert.Contains("gpiochip3 does not exist", missing.Message, StringComparison.Ordinal);
            var none = Assert.Throws<IOException>(() => GpioStatusLeds.Open(null, ThreeLeds, false, dev.FullName));
            Assert.Contains("no GPIO chip", none.Message, StringComparison.Ordinal);
        }
        finally
        {
            dev.Delete(recursive: true);
        }
    }
}
