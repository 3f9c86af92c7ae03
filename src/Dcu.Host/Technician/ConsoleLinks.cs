using Dcu.Core.Abstractions;
using Dcu.Drivers.Links;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Technician;

/// <summary>Which link carries the console for <see cref="ConsoleOptions.Port"/>, and whether the DCU echoes what is typed.</summary>
public static class ConsoleLinks
{
    /// <returns>
    /// A factory of the link (called at every (re)open) and the echo flag: a serial terminal and a tty read
    /// key by key expect the DCU to echo; a pipe on stdin wants no echo.
    /// </returns>
    public static (Func<IByteLink> Open, bool Echo) For(ConsoleOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IsStdin)
        {
            return System.Console.IsInputRedirected
                ? (() => new StreamByteLink("stdin", System.Console.OpenStandardInput(), System.Console.OpenStandardOutput()), false)
                : (() => new TerminalKeyLink(), true);
        }
        return (() => new SerialByteLink(new SerialLinkOptions
        {
            PortName = options.Port,
            BaudRate = options.Baud,
            Parity = SerialParity.None,
            DataBits = 8,
            StopBits = 1,
            TimeProvider = time,
        }, logger), true);
    }
}
