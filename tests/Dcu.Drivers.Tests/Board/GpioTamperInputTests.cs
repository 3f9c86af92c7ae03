using System.Device.Gpio;
using Dcu.Drivers.Board;

namespace Dcu.Drivers.Tests.Board;

public sealed class GpioTamperInputTests
{
    /// <summary>There is no simulated GPIO driver in System.Device.Gpio: a minimal one whose input levels the test sets.</summary>
    private sealed class FakeGpioDriver : GpioDriver
    {
        public Dictionary<int, PinValue> Levels { get; } = [];

        public Dictionary<int, PinMode> Modes { get; } = [];

        protected override int PinCount => 32;

        protected override void OpenPin(int pinNumber) => Levels.TryAdd(pinNumber, PinValue.Low);

        protected override void ClosePin(int pinNumber) => Levels.Remove(pinNumber);

        protected override void SetPinMode(int pinNumber, PinMode mode) => Modes[pinNumber] = mode;

        protected override PinMode GetPinMode(int pinNumber) => Modes[pinNumber];

        protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

        protected override PinValue Read(int pinNumber) => Levels[pinNumber];

        protected override void Write(int pinNumber, PinValue value) => Levels[pinNumber] = value;

        protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => throw new NotSupportedException();

        protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) => throw new NotSupportedException();
    }

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
