using System.Runtime.InteropServices;
using System.Text;

namespace Dcu.Drivers.Links;

/// <summary>
/// Linux kernel RS485 mode (Documentation/driver-api/serial/serial-rs485.rst): the UART driver
/// drives RTS as the transceiver's DE pin, with no user-space jitter. The setting lives in the
/// driver's port state, so it is set on a separate descriptor and survives its close.
/// </summary>
internal static class Rs485Native
{
    public const int ENOTTY = 25;

    private const uint TIOCSRS485 = 0x542F;
    private const uint SerRs485Enabled = 1 << 0;
    private const uint SerRs485RtsOnSend = 1 << 1;
    private const uint SerRs485RtsAfterSend = 1 << 2;
    private const int ORdWr = 0x2;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;

    /// <summary>Enables kernel RS485 mode on <paramref name="path"/>; returns 0 or the errno.</summary>
    public static int TryEnable(string path, bool rtsOnSend, int delayBeforeSendMs, int delayAfterSendMs)
    {
        if (!OperatingSystem.IsLinux())
        {
            return ENOTTY;
        }

        var fd = Open(Encoding.UTF8.GetBytes(path + "\0"), ORdWr | ONoCtty | ONonBlock);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            var config = new SerialRs485
            {
                Flags = SerRs485Enabled | (rtsOnSend ? SerRs485RtsOnSend : SerRs485RtsAfterSend),
                DelayRtsBeforeSend = (uint)delayBeforeSendMs,
                DelayRtsAfterSend = (uint)delayAfterSendMs,
            };
            return Ioctl(fd, TIOCSRS485, ref config) < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(int fd, nuint request, ref SerialRs485 config);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    /// <summary>struct serial_rs485 (include/uapi/linux/serial.h), 32 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SerialRs485
    {
        public uint Flags;
        public uint DelayRtsBeforeSend;
        public uint DelayRtsAfterSend;
        public uint Padding0;
        public uint Padding1;
        public uint Padding2;
        public uint Padding3;
        public uint Padding4;
    }
}
