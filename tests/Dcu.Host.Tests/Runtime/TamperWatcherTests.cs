using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Host.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Runtime;

public sealed class TamperWatcherTests
{
    private sealed class Switch : ITamperInput
    {
        public bool Level { get; set; }

        public bool Broken { get; set; }

        public string Name => "test switch";

        public bool IsActive() => Broken ? throw new IOException("line gone") : Level;
    }

    [Fact]
    public void Debounces_both_ways_and_survives_read_errors()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var input = new Switch();
        var watcher = new TamperWatcher(input, new EventSink(), TimeSpan.FromMilliseconds(200), 3, time, NullLogger.Instance);
        var events = new List<MeterEvent>();
        void Sample(bool level, int times)
        {
            input.Level = level;
            for (var i = 0; i < times; i++)
                if (watcher.Sample() is { } e) events.Add(e);
        }
        Sample(false, 5);
        Sample(true, 2);          // bounce
        Sample(false, 1);
        Sample(true, 2);
        Assert.Empty(events);
        Sample(true, 1);
        Assert.Equal([EventKinds.Tamper], events.Select(e => e.Kind));
        Assert.Contains("test switch", events[0].Detail, StringComparison.Ordinal);
        input.Broken = true;
        Sample(false, 10);
        Assert.Single(events);
        input.Broken = false;
        Sample(false, 3);
        Assert.Equal([EventKinds.Tamper, EventKinds.TamperCleared], events.Select(e => e.Kind));
    }
}
