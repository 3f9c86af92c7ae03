using System.Globalization;
using System.Text.RegularExpressions;
using Dcu.Core.Model;
using Microsoft.Extensions.Time.Testing;
using Dcu.Core.Outbox;
using Dcu.Testing;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Outbox;

public sealed class ReadingOutboxTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ReadingOutbox Open(long maxItems = 1_000_000, int batchSize = 1000, TimeProvider? time = null) =>
        new(new OutboxOptions { Path = _dir.File("outbox.db"), MaxItems = maxItems, BatchSize = batchSize }, time);

    [Fact]
    public async Task Append_flush_peek_remove_keeps_order()
    {
        await using var outbox = Open(batchSize: 7);
        for (var i = 0; i < 50; i++) await outbox.AppendAsync(Reading(i), default);
        await outbox.FlushAsync(default);

        var all = outbox.PeekOldest(OutboxLane.Readings, 100);
        Assert.Equal(50, all.Length);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => Reading(i)), all.Select(r => r.Reading));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Id < p.Second.Id));

        var first = outbox.PeekOldest(OutboxLane.Readings, 10);
        Assert.Equal(all.Take(10), first);
        var next = outbox.PeekOldest(OutboxLane.Readings, 10, afterId: first[^1].Id);
        Assert.Equal(all.Skip(10).Take(10), next);

        await outbox.RemoveAsync(OutboxLane.Readings, first.Select(r => r.Id).ToList(), default);
        var rest = outbox.PeekOldest(OutboxLane.Readings, 100);
        Assert.Equal(all.Skip(10), rest);

        var stats = outbox.GetStats();
        Assert.Equal(40, stats.ReadingsDepth);
        Assert.Equal(0, stats.EventsDepth);
        Assert.Equal(50, stats.AppendedTotal);
        Assert.Equal(10, stats.RemovedTotal);
        Assert.True(stats.CommittedBatches >= 50 / 7);
        Assert.NotNull(stats.OldestUnsentAge);
    }

    [Fact]
    public async Task Events_and_readings_are_separate_lanes()
    {
        await using var outbox = Open();
        await outbox.AppendAsync(Reading(1), default);
        await outbox.AppendAsync(Event(1), default);
        await outbox.AppendAsync(new MeterEvent(null, EventKinds.DcuStarted, T0, "boot"), default);
        await outbox.FlushAsync(default);

        var events = outbox.PeekOldest(OutboxLane.Events, 10);
        Assert.Equal([Event(1), new MeterEvent(null, EventKinds.DcuStarted, T0, "boot")], events.Select(e => e.Event));
        Assert.All(events, e => Assert.Null(e.Reading));
        Assert.Single(outbox.PeekOldest(OutboxLane.Readings, 10));
    }

    [Fact]
    public async Task Reopening_gives_back_committed_unremoved_items_in_order()
    {
        var path = _dir.File("outbox.db");
        await using (var outbox = Open())
        {
            for (var i = 0; i < 2500; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.AppendAsync(Event(1), default);
            await outbox.FlushAsync(default);
            var oldest = outbox.PeekOldest(OutboxLane.Readings, 100);
            await outbox.RemoveAsync(OutboxLane.Readings, oldest.Select(r => r.Id).ToList(), default);
            // Dispose without removing the rest: like a restart with an unreachable broker.
        }

        await using (var reopened = Open())
        {
            var stats = reopened.GetStats();
            Assert.Equal(2400, stats.ReadingsDepth);
            Assert.Equal(1, stats.EventsDepth);
            var items = reopened.PeekOldest(OutboxLane.Readings, 5000);
            Assert.Equal(Enumerable.Range(100, 2400).Select(i => Reading(i)), items.Select(r => r.Reading));

            // New appends continue after the surviving items.
            await reopened.AppendAsync(Reading(9999), default);
            await reopened.FlushAsync(default);
            Assert.Equal(Reading(9999), reopened.PeekOldest(OutboxLane.Readings, 5000)[^1].Reading);
        }
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Dispose_commits_everything_queued()
    {
        await using (var outbox = Open(batchSize: 10))
        {
            for (var i = 0; i < 1000; i++) await outbox.AppendAsync(Reading(i), default);
        }
        await using var reopened = Open();
        Assert.Equal(1000, reopened.GetStats().ReadingsDepth);
    }

    [Fact]
    public async Task Bound_evicts_oldest_readings_first_and_reports_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        await using var outbox = Open(maxItems: 100, batchSize: 20, time: time);
        for (var i = 0; i < 5; i++) await outbox.AppendAsync(Event(i), default);
        for (var i = 0; i < 150; i++) await outbox.AppendAsync(Reading(i), default);
        await outbox.FlushAsync(default);

        var stats = outbox.GetStats();
        Assert.Equal(100, stats.ReadingsDepth + stats.EventsDepth);
        Assert.Equal(5 + 150 + 1 - 100, stats.EvictedTotal); // + 1: room for the one eviction event
        var events = outbox.PeekOldest(OutboxLane.Events, 100);
        Assert.Equal(Enumerable.Range(0, 5).Select(Event), events.Take(5).Select(e => e.Event)); // events kept
        var first = Assert.Single(events, e => e.Event!.Kind == EventKinds.OutboxEviction).Event!;
        Assert.Null(first.Meter);
        Assert.Equal(T0, first.UnixMs);

        // The newest readings survive, in order.
        var readings = outbox.PeekOldest(OutboxLane.Readings, 200);
        Assert.Equal(Enumerable.Range(56, 94).Select(i => Reading(i)), readings.Select(r => r.Reading));

        // Later evictions within the interval are summed into the next event, one interval on.
        time.Advance(TimeSpan.FromMinutes(1));
        await outbox.AppendAsync(Reading(1000), default);
        await outbox.FlushAsync(default);
        var reports = outbox.PeekOldest(OutboxLane.Events, 100).Where(e => e.Event!.Kind == EventKinds.OutboxEviction).ToList();
        Assert.Equal(2, reports.Count);
        var reported = reports.Sum(r => long.Parse(Regex.Match(r.Event!.Detail, @"^evicted (\d+) oldest items \(\d+ readings, 0 billing, 0 events, 0 results\)").Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(outbox.GetStats().EvictedTotal, reported);
        Assert.Equal(100, outbox.GetStats().ReadingsDepth + outbox.GetStats().EventsDepth);
    }

    [Fact]
    public async Task Bound_evicts_events_last_when_only_events_remain()
    {
        await using var outbox = Open(maxItems: 10, batchSize: 4);
        for (var i = 0; i < 20; i++) await outbox.AppendAsync(Event(i), default);
        await outbox.FlushAsync(default);
        var stats = outbox.GetStats();
        Assert.Equal(0, stats.ReadingsDepth);
        Assert.True(stats.EventsDepth <= 10);
        Assert.True(stats.EvictedTotal >= 10);
        var last = outbox.PeekOldest(OutboxLane.Events, 100).Where(e => e.Event!.Kind == EventKinds.MeterOffline).ToList();
        Assert.Equal(Event(19), last[^1].Event);
    }

    [Fact]
    public async Task Concurrent_producers_and_a_remover_lose_nothing()
    {
        await using var outbox = Open(batchSize: 256);
        const int producers = 4, perProducer = 2500;
        var removed = new List<Reading>();
        using var stop = new CancellationTokenSource();
        var remover = Task.Run(async () =>
        {
            while (true)
            {
                var next = outbox.NextAppend();
                var batch = outbox.PeekOldest(OutboxLane.Readings, 300);
                if (batch.Length == 0)
                {
                    if (stop.IsCancellationRequested) return;
                    await Task.WhenAny(next, Task.Delay(200));
                    continue;
                }
                await outbox.RemoveAsync(OutboxLane.Readings, batch.Select(b => b.Id).ToList(), default);
                removed.AddRange(batch.Select(b => b.Reading!));
            }
        });
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++) await outbox.AppendAsync(Reading(i, $"m-{p}"), default);
        })));
        await outbox.FlushAsync(default);
        await stop.CancelAsync();
        await Eventually.WithinAsync(remover.ContinueWith(_ => true, TaskScheduler.Default), "remover to drain");
        await remover;

        Assert.Equal(producers * perProducer, removed.Count);
        Assert.Equal(producers * perProducer, removed.Distinct().Count());
        for (var p = 0; p < producers; p++)
        {
            var mine = removed.Where(r => r.Meter.Value == $"m-{p}").ToList();
            Assert.Equal(Enumerable.Range(0, perProducer).Select(i => Reading(i, $"m-{p}")), mine); // per-producer order kept
        }
        Assert.Equal(0, outbox.GetStats().ReadingsDepth);
    }

    /// <summary>
    /// Readers beside the writer while collections are created and pages recycled: LiteDB 5.0.21 alone
    /// failed such a read with "page type must be collection page" (litedb-org/LiteDB#2792, seen in CI).
    /// </summary>
    [Fact]
    public async Task Reads_beside_the_writer_on_fresh_files_never_fail()
    {
        for (var round = 0; round < 20; round++)
        {
            await using var outbox = new ReadingOutbox(new OutboxOptions { Path = _dir.File($"race-{round}.db"), BatchSize = 3 });
            using var stop = new CancellationTokenSource();
            var readers = Enumerable.Range(0, 2).Select(n => Task.Run(() =>
            {
                long seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    _ = outbox.GetStats();
                    seen += outbox.PeekOldest(OutboxLane.Events, 50).Length + outbox.PeekOldest(OutboxLane.Readings, 50).Length;
                }
                return seen;
            })).ToArray();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // without the fix the writer could die and a flush wait forever
            for (var i = 0; i < 60; i++)
            {
                await outbox.AppendAsync(Reading(i), deadline.Token);
                if (i % 7 == 0) await outbox.AppendAsync(Event(i), deadline.Token);
                if (i % 10 == 0) await outbox.FlushAsync(deadline.Token);
            }
            await outbox.FlushAsync(deadline.Token);
            var some = outbox.PeekOldest(OutboxLane.Readings, 20);
            await outbox.RemoveAsync(OutboxLane.Readings, some.Select(r => r.Id).ToList(), deadline.Token);
            stop.Cancel();
            await Task.WhenAll(readers); // rethrows a failed read
            Assert.Equal(40, outbox.GetStats().ReadingsDepth);
        }
    }

    [Fact]
    public async Task NextAppend_completes_on_commit()
    {
        await using var outbox = Open();
        var signal = outbox.NextAppend();
        Assert.False(signal.IsCompleted);
        await outbox.AppendAsync(Reading(1), default);
        await Eventually.WithinAsync(signal.ContinueWith(_ => true, TaskScheduler.Default), "commit signal");
    }

    [Fact]
    public async Task Append_after_dispose_throws()
    {
        var outbox = Open();
        await outbox.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            for (var i = 0; i < 20_000; i++) await outbox.AppendAsync(Reading(i), default);
        });
    }
}
