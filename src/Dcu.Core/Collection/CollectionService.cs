using Microsoft.Extensions.Hosting;

namespace Dcu.Core.Collection;

/// <summary>
/// Optional hosted service that runs the scheduler and every bus worker together and stops them
/// together. Use it, or register each <c>RunAsync</c> as its own hosted service. If one loop ends
/// with an exception (a bug: the loops catch every meter and outbox error) the exception surfaces
/// here after the others are stopped.
/// </summary>
public sealed class CollectionService(CollectionScheduler scheduler) : BackgroundService
{
    public CollectionScheduler Scheduler { get; } = scheduler ?? throw new ArgumentNullException(nameof(scheduler));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var loops = Scheduler.Workers.Select(w => w.RunAsync(stop.Token)).Append(Scheduler.RunAsync(stop.Token)).ToArray();
        try
        {
            await Task.WhenAny(loops);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }
    }
}
