using Dcu.Host.Configuration;

namespace Dcu.Host.Runtime;

/// <summary>
/// What a person watching the demo wants to see, one line per collection interval: meters that
/// answered, readings collected, what went upstream, how deep the outbox is, and whether the link is up.
/// </summary>
internal sealed class DemoReporter(DcuRuntime runtime, DcuSettings settings, TimeProvider time)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = settings.Collection.Tasks.Count > 0 ? settings.Collection.Tasks.Min(t => t.Interval) : TimeSpan.FromSeconds(10);
        var announced = new HashSet<string>(StringComparer.Ordinal);
        long lastAppended = 0, lastPublished = 0;
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var h in runtime.Scheduler!.Health().Where(h => h.Online && h.LastSuccessUnixMs is not null && announced.Add(h.Meter.Value)))
                    Console.WriteLine($"  meter found: {h.Meter} on {h.Bus}");
                var outbox = runtime.Outbox!.GetStats();
                var published = runtime.Publisher!.GetStats();
                var counters = runtime.Scheduler.Counters();
                var online = runtime.Scheduler.Health().Count(h => h.Online);
                Console.WriteLine(
                    $"{time.GetUtcNow():HH:mm:ss} | meters online {online}/{settings.Meters.Count} | requests ok {counters.Sum(c => c.Ok)}, timeouts {counters.Sum(c => c.Timeouts)}, errors {counters.Sum(c => c.ProtocolErrors)}"
                    + $" | +{outbox.AppendedTotal - lastAppended} stored, +{published.ReadingsPublished - lastPublished} readings published"
                    + $" | outbox {outbox.ReadingsDepth} readings, {outbox.EventsDepth} events | link {(runtime.Uplink!.IsConnected ? "up" : "DOWN")}");
                lastAppended = outbox.AppendedTotal;
                lastPublished = published.ReadingsPublished;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
