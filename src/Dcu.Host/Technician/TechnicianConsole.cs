using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Technician;

/// <summary>
/// The technician console as one DCU loop: opens the console line, runs sessions on it one after another,
/// and outlives whatever happens to the line. A port that cannot be opened (no such device, a USB adapter
/// not plugged in) is logged once as an error and tried again every <see cref="ReopenInterval"/>; the DCU runs
/// on without a console meanwhile. stdin that ends (a service has /dev/null) leaves the console off until stop.
/// </summary>
public sealed class TechnicianConsole(
    ConsoleOptions options,
    string dcuId,
    Func<IByteLink> openLink,
    bool echo,
    ConsoleLoginGuard guard,
    ConsoleCommands commands,
    TimeProvider time,
    ILogger logger)
{
    public static readonly TimeSpan ReopenInterval = TimeSpan.FromSeconds(30);

    /// <summary>Runs until <paramref name="stop"/>; never throws for the line's sake.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var openFailed = false;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                IByteLink? link = null;
                try
                {
                    link = openLink();
                    await link.OpenAsync(stop).ConfigureAwait(false);
                    if (openFailed) logger.LogInformation("Technician console: {Port} open now", link.Name);
                    else logger.LogInformation("Technician console on {Port}", link.Name);
                    openFailed = false;
                    await ServeAsync(link, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
                {
                    if (!openFailed)
                        logger.LogError("Technician console: cannot use {Port}: {Error}; the DCU runs on without a console, trying again every {Interval}",
                            options.Port, ex.Message, ReopenInterval);
                    openFailed = true;
                }
                finally
                {
                    if (link is not null) await link.DisposeAsync().ConfigureAwait(false);
                }
                if (options.IsStdin)
                {
                    logger.LogInformation("Technician console: stdin has ended; no console until the DCU restarts");
                    await Task.Delay(Timeout.InfiniteTimeSpan, time, stop).ConfigureAwait(false);
                }
                await Task.Delay(ReopenInterval, time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(IByteLink link, CancellationToken stop)
    {
        var terminal = new ConsoleTerminal(link, echo, time);
        terminal.Start(stop);
        await terminal.WriteAsync($"\nDCU {dcuId} technician console\n", stop).ConfigureAwait(false);
        var session = new ConsoleSession(terminal, guard, commands, options, dcuId, logger);
        while (await session.RunAsync(stop).ConfigureAwait(false) != ConsoleSessionEnd.InputClosed)
        {
        }
        if (terminal.Error is { } error)
            logger.LogWarning("Technician console: {Port} failed ({Error}); opening it again", link.Name, error.Message);
    }
}
