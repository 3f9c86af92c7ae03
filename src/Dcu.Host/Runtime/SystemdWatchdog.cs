using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// systemd's per-service watchdog (WatchdogSec= in the unit): WATCHDOG=1 every half period, but only
/// while the DCU is healthy, so a wedged DCU is restarted by systemd instead of sitting silent.
/// Nothing is sent when the unit sets no watchdog (WATCHDOG_USEC absent) or outside systemd.
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier, Func<string?> problem, TimeSpan period, TimeProvider time, ILogger logger)
{
    /// <summary>Half the watchdog period systemd asked for, or null when it asked for none.</summary>
    public static TimeSpan? PeriodFromEnvironment()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        return long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var us) && us > 0
            ? TimeSpan.FromMicroseconds(us / 2.0)
            : null;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, time);
        string? reported = null;
        try
        {
            do
            {
                var p = problem();
                if (p is null) notifier.Notify(new ServiceState("WATCHDOG=1"));
                else if (p != reported) logger.LogError("Not feeding the systemd watchdog: {Problem}; systemd will restart the DCU", p);
                reported = p;
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
