using System.Globalization;
using System.Text.RegularExpressions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Testing;
using LiteDB;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Outbox;

/// <summary>The four lanes, numbered batches, the seq counter and the sent history of <see cref="ReadingOutbox"/>.</summary>
public sealed class OutboxLanesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ReadingOutbox Open(long maxItems = 1_000_000, int batchSize = 1000, TimeProvider? time = null, int keepDays = 2, long maxSent = 1_000_000) =>
        new(new OutboxOptions { Path = _dir.File("outbox.db"), MaxItems = maxItems, BatchSize = batchSize, KeepSentDays = keepDays, MaxSentItems = maxSent }, time);

    private static OutboxMessage Result(int i) => new("cmd-result", System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"c-{i}\"}}"), T0 + i);

    [Fact]
    public async Task Each_lane_keeps_its_own_items_and_counts()
    {
        await using var outbox = Open();
        await outbox.AppendAsync(Reading(1), default);
        await outbox.AppendAsync(Reading(2), OutboxLane.Billing, default);
        await outbox.AppendAsync(Event(3), default);
        await outbox.AppendMessageAsync(Result(4), default);
        await outbox.FlushAsync(default);

        Assert.Equal(Reading(1), Assert.Single(outbox.PeekOldest(OutboxLane.Readings, 10)).Reading);
        Assert.Equal(Reading(2), Assert.Single(outbox.PeekOldest(OutboxLane.Billing, 10)).Reading);
        Assert.Equal(Event(3), Assert.Single(outbox.PeekOldest(OutboxLane.Events, 10)).Event);
        var result = Assert.Single(outbox.PeekOldest(OutboxLane.Results, 10)).Message!;
        Assert.Equal("cmd-result", result.TopicSuffix);
        Assert.Equal("{\"id\":\"c-4\"}", System.Text.Encoding.UTF8.GetString(result.Payload.Span));
        var stats = outbox.GetStats();
        Assert.Equal((1, 1, 1, 1), (stats.ReadingsDepth, stats.BillingDepth, stats.EventsDepth, stats.ResultsDepth));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await outbox.AppendAsync(Reading(5), OutboxLane.Events, default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await outbox.AppendMessageAsync(new OutboxMessage("cmd/#", default, T0), default));
    }

    [Fact]
    public async Task Bound_evicts_readings_then_billing_then_events_and_results_last()
    {
        await using var outbox = Open(maxItems: 20, batchSize: 200, time: new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0)));
        for (var i = 0; i < 5; i++) await outbox.AppendMessageAsync(Result(i), default);
        for (var i = 0; i < 5; i++) await outbox.AppendAsync(Event(i), default);
        for (var i = 0; i < 10; i++) await outbox.AppendAsync(Reading(i), OutboxLane.Billing, default);
        for (var i = 0; i < 10; i++) await outbox.AppendAsync(Reading(i), default);
        await outbox.FlushAsync(default);

        // 30 items + 1 eviction event into 20: all 10 readings, then 1 billing value go.
        var stats = outbox.GetStats();
        Assert.Equal((0L, 9L, 6L, 5L), (stats.ReadingsDepth, stats.BillingDepth, stats.EventsDepth, stats.ResultsDepth));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => Reading(i)), outbox.PeekOldest(OutboxLane.Billing, 100).Select(r => r.Reading));
        var report = Assert.Single(outbox.PeekOldest(OutboxLane.Events, 100), e => e.Event!.Kind == EventKinds.OutboxEviction).Event!;
        Assert.Matches(@"^evicted 11 oldest items \(10 readings, 1 billing, 0 events, 0 results\)", report.Detail);

        // Only results and events left: events go before results.
        for (var i = 10; i < 30; i++) await outbox.AppendMessageAsync(Result(i), default);
        await outbox.FlushAsync(default);
        stats = outbox.GetStats();
        Assert.Equal(0, stats.ReadingsDepth + stats.BillingDepth + stats.EventsDepth);
        Assert.Equal(20, stats.ResultsDepth);
        Assert.Equal("{\"id\":\"c-29\"}", System.Text.Encoding.UTF8.GetString(outbox.PeekOldest(OutboxLane.Results, 100)[^1].Message!.Payload.Span));
    }

    [Fact]
    public async Task Seqs_grow_across_lanes_and_restarts_and_an_open_batch_keeps_its_seq()
    {
        long[] first;
        await using (var outbox = Open())
        {
            for (var i = 0; i < 25; i++) await outbox.AppendAsync(Reading(i), default);
            for (var i = 0; i < 3; i++) await outbox.AppendAsync(Event(i), default);
            await outbox.FlushAsync(default);
            var readings = await outbox.OpenBatchesAsync(OutboxLane.Readings, 10, 4, default);
            var events = await outbox.OpenBatchesAsync(OutboxLane.Events, 10, 4, default);
            Assert.Equal([10, 10, 5], readings.Select(b => b.Items.Length));
            first = [.. readings.Select(b => b.Seq), .. events.Select(b => b.Seq)];
            Assert.Equal([1L, 2, 3, 4], first);
            // Nothing left to number; the open ones come back with the same seqs and items.
            Assert.Empty(await outbox.OpenBatchesAsync(OutboxLane.Readings, 10, 4, default));
            Assert.Equal([1L, 2, 3], outbox.PeekBatches(OutboxLane.Readings, 10).Select(b => b.Seq));
            Assert.Equal([1L, 2], outbox.PeekBatches(OutboxLane.Readings, 10, seq => seq != 3).Select(b => b.Seq));
            var finished = await outbox.FinishBatchesAsync([SeqRange.Single(2), SeqRange.Single(99)], default);
            Assert.Equal([2L], finished);
        }
        await using (var reopened = Open())
        {
            var open = reopened.PeekBatches(OutboxLane.Readings, 10);
            Assert.Equal([1L, 3], open.Select(b => b.Seq));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => Reading(i)), open[0].Items.Select(r => r.Reading));
            Assert.Equal(4, reopened.GetStats().LastSeq);
            // Finish everything: the counter survives even with no batch left in the file.
            Assert.Equal(3, (await reopened.FinishBatchesAsync([new SeqRange(1, 4)], default)).Length);
            Assert.Equal(0, reopened.GetStats().TotalDepth);
        }
        await using (var again = Open())
        {
            await again.AppendAsync(Reading(100), OutboxLane.Billing, default);
            await again.FlushAsync(default);
            var batch = Assert.Single(await again.OpenBatchesAsync(OutboxLane.Billing, 10, 4, default));
            Assert.Equal(5, batch.Seq);
        }
    }

    [Fact]
    public async Task A_batch_whose_items_were_all_evicted_is_dropped_at_reopen()
    {
        await using (var outbox = Open(maxItems: 12, batchSize: 100))
        {
            for (var i = 0; i < 10; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.FlushAsync(default);
            var batch = Assert.Single(await outbox.OpenBatchesAsync(OutboxLane.Readings, 5, 1, default));
            Assert.Equal(1, batch.Seq);
            for (var i = 0; i < 10; i++) await outbox.AppendAsync(Event(i), default); // evicts readings 0..8
            await outbox.FlushAsync(default);
            Assert.Equal(1, outbox.GetStats().ReadingsDepth);
            Assert.Empty(outbox.PeekBatches(OutboxLane.Readings, 10)); // batch 1 (ids 1..5) went with its items
            Assert.Equal(0, outbox.GetStats().OpenBatches);
        }
        await using var reopened = Open(maxItems: 12);
        var next = Assert.Single(await reopened.OpenBatchesAsync(OutboxLane.Readings, 5, 1, default));
        Assert.Equal(2, next.Seq);
        Assert.Equal(Reading(9), Assert.Single(next.Items).Reading);
    }

    [Fact]
    public async Task Files_written_before_lanes_and_seqs_still_open()
    {
        var path = _dir.File("outbox.db");
        using (var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }))
        {
            // The layout of the two-lane outbox: readings and events only, no batches, no meta.
            db.GetCollection(ReadingOutbox.ReadingsCollection, BsonAutoId.Int64).Insert(OutboxDocuments.FromReading(Reading(1)));
            db.GetCollection(ReadingOutbox.EventsCollection, BsonAutoId.Int64).Insert(OutboxDocuments.FromEvent(Event(2)));
        }
        await using var outbox = Open();
        Assert.Equal(Reading(1), Assert.Single(outbox.PeekOldest(OutboxLane.Readings, 10)).Reading);
        Assert.Equal(Event(2), Assert.Single(outbox.PeekOldest(OutboxLane.Events, 10)).Event);
        Assert.Equal(1, Assert.Single(await outbox.OpenBatchesAsync(OutboxLane.Readings, 10, 1, default)).Seq);
    }

    [Fact]
    public async Task A_history_kept_one_document_per_item_is_dropped_and_the_rest_opens()
    {
        var path = _dir.File("outbox.db");
        using (var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }))
        {
            // The earlier history layout: each sent item's own fields plus lane, seq and finish time.
            var item = OutboxDocuments.FromReading(Reading(1));
            item["l"] = (int)OutboxLane.Readings;
            item["s"] = 1L;
            item["a"] = T0;
            db.GetCollection(ReadingOutbox.SentCollection, BsonAutoId.Int64).Insert(item);
            db.GetCollection(ReadingOutbox.ReadingsCollection, BsonAutoId.Int64).Insert(OutboxDocuments.FromReading(Reading(2)));
            db.GetCollection(ReadingOutbox.MetaCollection, BsonAutoId.Int64).Insert(new BsonDocument { ["_id"] = OutboxDocuments.SeqKey, ["v"] = 1L });
        }
        await using var outbox = Open();
        Assert.Equal(0, outbox.GetStats().SentItems);
        Assert.Equal(0, await outbox.ResendAsync(SentQuery.BySeq(1, 1), default));
        Assert.Equal(Reading(2), Assert.Single(outbox.PeekOldest(OutboxLane.Readings, 10)).Reading);
        var batch = Assert.Single(await outbox.OpenBatchesAsync(OutboxLane.Readings, 10, 1, default));
        Assert.Equal(2, batch.Seq);
        await outbox.FinishBatchesAsync([SeqRange.Single(2)], default);
        Assert.Equal(1, await outbox.ResendAsync(SentQuery.BySeq(2, 2), default));
    }

    [Fact]
    public async Task Finished_items_move_to_the_history_and_can_be_resent()
    {
        await using var outbox = Open();
        for (var i = 0; i < 6; i++) await outbox.AppendAsync(Reading(i, i % 2 == 0 ? "m-a" : "m-b"), default);
        for (var i = 0; i < 2; i++) await outbox.AppendAsync(Reading(i, "m-a"), OutboxLane.Billing, default);
        await outbox.AppendAsync(Event(0), default);
        await outbox.FlushAsync(default);
        var readings = await outbox.OpenBatchesAsync(OutboxLane.Readings, 3, 4, default);  // seqs 1, 2
        var billing = await outbox.OpenBatchesAsync(OutboxLane.Billing, 3, 4, default);    // seq 3
        var events = await outbox.OpenBatchesAsync(OutboxLane.Events, 3, 4, default);      // seq 4
        Assert.Equal([1L, 2, 3, 4], readings.Concat(billing).Concat(events).Select(b => b.Seq));
        await outbox.FinishBatchesAsync([new SeqRange(1, 4)], default);
        var stats = outbox.GetStats();
        Assert.Equal(0, stats.TotalDepth);
        Assert.Equal(9, stats.SentItems);

        // By seq: batch 2 (readings 3..5) and the billing batch, back into their own lanes.
        Assert.Equal(5, await outbox.ResendAsync(SentQuery.BySeq(2, 3), default));
        await outbox.FlushAsync(default);
        Assert.Equal(Enumerable.Range(3, 3).Select(i => Reading(i, i % 2 == 0 ? "m-a" : "m-b")), outbox.PeekOldest(OutboxLane.Readings, 10).Select(r => r.Reading));
        Assert.Equal(2, outbox.PeekOldest(OutboxLane.Billing, 10).Length);
        var resent = await outbox.OpenBatchesAsync(OutboxLane.Readings, 10, 1, default);
        Assert.Equal(5, Assert.Single(resent).Seq); // a new seq
        await outbox.FinishBatchesAsync([new SeqRange(5, 5)], default);
        await outbox.RemoveAsync(OutboxLane.Billing, outbox.PeekOldest(OutboxLane.Billing, 10).Select(r => r.Id).ToList(), default);

        // By meter and interval time: readings 1 and 3 of m-b (interval T0+1 min .. T0+3 min), in each copy kept.
        var q = SentQuery.ByTime(new HashSet<string> { "m-b" }, Reading(1).IntervalUnixMs, Reading(3).IntervalUnixMs);
        Assert.Equal(3, await outbox.ResendAsync(q, default)); // 1, 3, and 3 again (its resend was finished too)
        await outbox.FlushAsync(default);
        Assert.Equal([Reading(1, "m-b"), Reading(3, "m-b"), Reading(3, "m-b")], outbox.PeekOldest(OutboxLane.Readings, 10).Select(r => r.Reading));
        // All meters at T0: reading 0, billing value 0 and event 0, each into its own lane.
        Assert.Equal(3, await outbox.ResendAsync(SentQuery.ByTime(null, T0, T0), default));
        await outbox.FlushAsync(default);
        Assert.Equal(Event(0), Assert.Single(outbox.PeekOldest(OutboxLane.Events, 10)).Event);
        Assert.Equal(Reading(0, "m-a"), Assert.Single(outbox.PeekOldest(OutboxLane.Billing, 10)).Reading);
        Assert.Equal(Reading(0, "m-a"), outbox.PeekOldest(OutboxLane.Readings, 10)[^1].Reading);
    }

    [Fact]
    public async Task The_history_and_its_count_survive_a_reopen()
    {
        await using (var outbox = Open(maxSent: 12))
        {
            for (var i = 0; i < 15; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.FlushAsync(default);
            await outbox.OpenBatchesAsync(OutboxLane.Readings, 5, 3, default);
            await outbox.FinishBatchesAsync([new SeqRange(1, 3)], default);
            Assert.Equal(12, outbox.GetStats().SentItems); // the oldest 3 items of batch 1 dropped
        }
        await using var reopened = Open(maxSent: 12);
        Assert.Equal(12, reopened.GetStats().SentItems);
        Assert.Equal(2, await reopened.ResendAsync(SentQuery.BySeq(1, 1), default));
        Assert.Equal(5, await reopened.ResendAsync(SentQuery.BySeq(3, 3), default));
        await reopened.FlushAsync(default);
        Assert.Equal(new[] { 3, 4, 10, 11, 12, 13, 14 }.Select(i => Reading(i)), reopened.PeekOldest(OutboxLane.Readings, 20).Select(r => r.Reading));
    }

    [Fact]
    public async Task History_is_pruned_by_age_by_the_writer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        await using var outbox = Open(time: time, keepDays: 2);
        for (var i = 0; i < 10; i++) await outbox.AppendAsync(Reading(i), default);
        await outbox.FlushAsync(default);
        await outbox.OpenBatchesAsync(OutboxLane.Readings, 5, 2, default);
        await outbox.FinishBatchesAsync([SeqRange.Single(1)], default);
        time.Advance(TimeSpan.FromDays(1));
        await outbox.FinishBatchesAsync([SeqRange.Single(2)], default);
        Assert.Equal(10, outbox.GetStats().SentItems);

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(2)); // batch 1 is now older than 2 days, batch 2 is not
        await Eventually.TrueAsync(() => outbox.GetStats().SentItems == 5, "the first batch pruned");
        time.Advance(TimeSpan.FromDays(1));
        await Eventually.TrueAsync(() => outbox.GetStats().SentItems == 0, "the second batch pruned");
        Assert.Equal(0, await outbox.ResendAsync(SentQuery.BySeq(1, 2), default));
    }

    [Fact]
    public async Task History_is_bounded_by_count_and_can_be_off()
    {
        await using (var outbox = Open(maxSent: 7))
        {
            for (var i = 0; i < 10; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.FlushAsync(default);
            await outbox.OpenBatchesAsync(OutboxLane.Readings, 5, 2, default);
            await outbox.FinishBatchesAsync([new SeqRange(1, 2)], default);
            Assert.Equal(7, outbox.GetStats().SentItems);
            Assert.Equal(7, await outbox.ResendAsync(SentQuery.BySeq(1, 2), default));
            await outbox.FlushAsync(default);
            Assert.Equal(Enumerable.Range(3, 7).Select(i => Reading(i)), outbox.PeekOldest(OutboxLane.Readings, 20).Select(r => r.Reading)); // the oldest 3 dropped
        }
        File.Delete(_dir.File("outbox.db"));
        await using var none = Open(keepDays: 0);
        for (var i = 0; i < 4; i++) await none.AppendAsync(Reading(i), default);
        await none.FlushAsync(default);
        await none.OpenBatchesAsync(OutboxLane.Readings, 5, 1, default);
        await none.FinishBatchesAsync([SeqRange.Single(1)], default);
        Assert.Equal((0L, 0L), (none.GetStats().TotalDepth, none.GetStats().SentItems));
    }
}
