namespace Dcu.Drivers.Links;

/// <summary>Settings of a <see cref="SerialByteLink"/>: one UART with its RS485 transceiver.</summary>
public sealed class SerialLinkOptions
{
    /// <summary>Device path, "/dev/ttyAMA0", "/dev/ttyUSB0".</summary>
    public string PortName { get; set; } = "";

    public int BaudRate { get; set; } = 9600;

    public SerialParity Parity { get; set; } = SerialParity.None;

    /// <summary>1 or 2.</summary>
    public int StopBits { get; set; } = 1;

    /// <summary>7 or 8; Modbus RTU needs 8.</summary>
    public int DataBits { get; set; } = 8;

    /// <summary>Ask the kernel to drive the transceiver's DE pin (TIOCSRS485); silently skipped where unsupported.</summary>
    public bool Rs485Mode { get; set; }

    /// <summary>RTS (DE) level while sending in kernel RS485 mode: true = high (most transceivers).</summary>
    public bool Rs485RtsOnSend { get; set; } = true;

    /// <summary>Kernel RS485 delays around a transmission, in milliseconds.</summary>
    public int Rs485DelayBeforeSendMs { get; set; }

    public int Rs485DelayAfterSendMs { get; set; }

    /// <summary>Bits of one character on the wire: start + data + parity + stop.</summary>
    /// <summary>
    /// A port that failed to open, or vanished (a USB adapter unplugged), is opened again by the next
    /// write, at most once per this interval, so a bus heals by itself once the device is back.
    /// </summary>
    public TimeSpan ReopenInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public int BitsPerCharacter => 1 + DataBits + (Parity == SerialParity.None ? 0 : 1) + StopBits;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(PortName))
        {
            throw new ArgumentException("PortName is required.", nameof(PortName));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BaudRate, 0, nameof(BaudRate));
        if (StopBits is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(StopBits), StopBits, "Stop bits must be 1 or 2.");
        }

        if (DataBits is not (7 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(DataBits), DataBits, "Data bits must be 7 or 8.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Rs485DelayBeforeSendMs, nameof(Rs485DelayBeforeSendMs));
        ArgumentOutOfRangeException.ThrowIfNegative(Rs485DelayAfterSendMs, nameof(Rs485DelayAfterSendMs));
    }
}
