using Dcu.Core.Events;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Core.Tests.Events;

public sealed class RuleEventsOutboxWriterTests
{
    private sealed class RecordingOutbox : IOutboxWriter
    {
        public List<object> Log { get; } = [];

        public int Flushes { get; private set; }

        public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken)
        {
            lock (Log) Log.Add(reading);
            return ValueTask.CompletedTask;
        }

        public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken)
        {
            lock (Log) Log.Add(meterEvent);
            return ValueTask.CompletedTask;
        }

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }
    }

    private const long T0 = 1_767_225_600_000;

    [Fact]
    public async Task Passes_everything_through_unchanged_and_in_order_with_derived_events_after_their_reading()
    {
        var inner = new RecordingOutbox();
        var writer = new RuleEventsOutboxWriter(inner, new ReadingRules(new EventRulesOptions()));
        var m = new MeterId("m1");
        var items = new List<object>
        {
            new Reading(m, ObisCode.VoltageL1, 230, "V", T0, T0 + 5),
            new MeterEvent(m, EventKinds.MeterOnline, T0 + 6, "answered"),
            new Reading(m, ObisCode.Frequency, 50, "Hz", T0, T0 + 5, ReadingQuality.Late),
            new Reading(m, ObisCode.VoltageL1, 180, "V", T0 + 900_000, T0 + 900_005),
            new Reading(m, ObisCode.ActiveEnergyImport, 12.5, "kWh", T0 + 900_000, T0 + 900_005, ReadingQuality.ClockInvalid),
            new Reading(m, ObisCode.VoltageL1, double.NaN, "V", T0 + 1_800_000, T0 + 1_800_005),
        };
        foreach (var item in items)
        {
            if (item is Reading r) await writer.AppendAsync(r, default);
            else await writer.AppendAsync((MeterEvent)item, default);
        }
        await writer.FlushAsync(default);

        Assert.Equal(1, inner.Flushes);
        // Everything appended, the very same objects, in the same order; the one derived event right after its reading.
        var passed = inner.Log.Where(o => o is not MeterEvent { Kind: EventKinds.VoltageSag }).ToList();
        Assert.Equal(items.Count, passed.Count);
        for (var i = 0; i < items.Count; i++) Assert.Same(items[i], passed[i]);
        var sag = Assert.Single(inner.Log.OfType<MeterEvent>(), e => e.Kind == EventKinds.VoltageSag);
        Assert.Equal(4, inner.Log.IndexOf(sag));
        Assert.Equal(T0 + 900_005, sag.UnixMs);
    }

    [Fact]
    public async Task Concurrent_bus_workers_each_get_their_events()
    {
        var inner = new RecordingOutbox();
        var writer = new RuleEventsOutboxWriter(inner, new ReadingRules(new EventRulesOptions()));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var m = new MeterId($"m{w}");
            for (var i = 0; i < 200; i++)
                await writer.AppendAsync(new Reading(m, ObisCode.VoltageL1, i % 2 == 0 ? 230 : 150, "V", T0 + i * 1000L, T0 + i * 1000L), default);
        })));
        Assert.Equal(8 * 200, inner.Log.OfType<Reading>().Count());
        var events = inner.Log.OfType<MeterEvent>().ToList();
        Assert.Equal(8 * 199, events.Count);   // every reading after the first flips the condition: one event each
        foreach (var group in events.GroupBy(e => e.Meter))
            Assert.Equal(Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? EventKinds.VoltageNormal : EventKinds.VoltageSag).Skip(1), group.Select(e => e.Kind));
    }
}
