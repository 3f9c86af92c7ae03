using System.Device.Gpio;

namespace Dcu.Drivers.Tests.Board;

/// <summary>
/// There is no simulated GPIO driver in System.Device.Gpio: a minimal one whose input levels the test
/// sets and whose output writes it records.
/// </summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    public Dictionary<int, PinValue> Levels { get; } = [];

    public Dictionary<int, PinMode> Modes { get; } = [];

    /// <summary>Every write in order, including the initial level of <c>OpenPin(pin, mode, value)</c>.</summary>
    public List<(int Pin, PinValue Value)> Writes { get; } = [];

    /// <summary>Lines opened and not closed.</summary>
    public HashSet<int> Open { get; } = [];

    /// <summary>A line whose writes fail, as a line taken away by another process would.</summary>
    public int? FailingPin { get; set; }

    public bool Disposed { get; private set; }

    protected override int PinCount => 54;

    protected override void OpenPin(int pinNumber)
    {
        Open.Add(pinNumber);
        Levels.TryAdd(pinNumber, PinValue.Low);
    }

    protected override void ClosePin(int pinNumber)
    {
        Open.Remove(pinNumber);
        Levels.Remove(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => Modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => Modes[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Levels[pinNumber];

    protected override void Write(int pinNumber, PinValue value)
    {
        if (pinNumber == FailingPin) throw new IOException($"line {pinNumber} gone");
        Levels[pinNumber] = value;
        Writes.Add((pinNumber, value));
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) => throw new NotSupportedException();

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => throw new NotSupportedException();

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
