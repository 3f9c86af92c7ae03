using System.Text;
using System.Text.Json;
using Dcu.Core.Commands;
using Dcu.Core.Outbox;
using Dcu.Core.Tests.Outbox;
using Dcu.Core.Uplink;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Uplink;

/// <summary>Priority lanes, batch seqs, end-to-end DCP acks and resend, through <see cref="UplinkPublisher"/>.</summary>
public sealed class UplinkPublisherLanesTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Topics _topics = new("d1");

    public void Dispose() => _dir.Dispose();

    private ReadingOutbox OpenOutbox(TimeProvider? time = null) => new(new OutboxOptions { Path = _dir.File("outbox.db"), BatchSize = 300 }, time);

    private static UplinkPublisherOptions Fast(int batch = 10, int inFlight = 4, bool ack = false, int window = 64) => new()
    {
        BatchSize = batch,
        MaxInFlight = inFlight,
        RetryBackoffMin = TimeSpan.Zero,
        RetryBackoffMax = TimeSpan.FromMilliseconds(5),
        IdleRecheck = TimeSpan.FromHours(1),
        RequireDcpAck = ack,
        DcpAckTimeout = TimeSpan.FromMinutes(5),
        DcpAckWindow = window,
    };

    private static long Seq(FakeUplink.Published p)
    {
        using var doc = JsonDocument.Parse(p.Message.Payload);
        return doc.RootElement.GetProperty("seq").GetInt64();
    }

    private static List<(string Meter, long T)> Keys(FakeUplink.Published p)
    {
        using var doc = JsonDocument.Parse(p.Message.Payload);
        return doc.RootElement.GetProperty("readings").EnumerateArray()
            .Select(r => (r.GetProperty("m").GetString()!, r.GetProperty("t").GetInt64())).ToList();
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Lanes_are_drained_in_priority_order_with_growing_seqs()
    {
        await using var outbox = OpenOutbox();
        for (var i = 0; i < 25; i++) await outbox.AppendAsync(Reading(i), default);
        for (var i = 0; i < 12; i++) await outbox.AppendAsync(Reading(i), OutboxLane.Billing, default);
        for (var i = 0; i < 3; i++) await outbox.AppendAsync(Event(i), default);
        await outbox.AppendMessageAsync(new OutboxMessage("cmd-result", Utf8("""{"id":"c-1","status":"ok"}"""), T0), default);
        await outbox.AppendMessageAsync(new OutboxMessage("quality", Utf8("""{"q":1}"""), T0), default);
        await outbox.FlushAsync(default);
        var uplink = new FakeUplink();
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(batch: 10, inFlight: 2));
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);
        await Eventually.TrueAsync(() => outbox.GetStats().TotalDepth == 0, "drained");
        await cts.CancelAsync();
        await run;

        var log = uplink.Log.OrderBy(p => p.Call).ToList();
        Assert.Equal(
            ["dcu/d1/cmd-result", "dcu/d1/quality", "dcu/d1/events", "dcu/d1/billing", "dcu/d1/billing", "dcu/d1/readings", "dcu/d1/readings", "dcu/d1/readings"],
            log.Select(p => p.Message.Topic));
        Assert.Equal("""{"id":"c-1","status":"ok"}""", log[0].Text); // verbatim
        Assert.Equal([1L, 2, 3, 4, 5, 6], log.Skip(2).Select(Seq));   // one DCU-wide counter across lanes
        Assert.Equal(Enumerable.Range(0, 10).Select(i => ("m-01", Reading(i).IntervalUnixMs)), Keys(log[3])); // billing: same shape
        var stats = publisher.GetStats();
        Assert.Equal((25L, 12L, 3L, 2L), (stats.ReadingsPublished, stats.BillingPublished, stats.EventsPublished, stats.ResultsPublished));
        Assert.Equal(40, outbox.GetStats().SentItems); // results are not kept
    }

    [Fact]
    public async Task A_refused_batch_is_published_again_with_the_same_seq_also_after_a_restart()
    {
        await using (var outbox = OpenOutbox())
        {
            for (var i = 0; i < 15; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.FlushAsync(default);
            var uplink = new FakeUplink { Behaviour = (call, _, _) => Task.FromResult(call != 2) };
            var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(batch: 10, inFlight: 2));
            using var cts = new CancellationTokenSource();
            var run = publisher.RunAsync(cts.Token);
            await Eventually.TrueAsync(() => outbox.GetStats().ReadingsDepth == 0, "drained");
            await cts.CancelAsync();
            await run;
            var log = uplink.Log.OrderBy(p => p.Call).ToList();
            Assert.Equal([1L, 2, 2], log.Select(Seq));
            Assert.False(log[1].Acked);
            Assert.Equal(log[1].Text, log[2].Text);
        }

        // A batch numbered (and maybe published) before a restart keeps its seq after it.
        long seq;
        await using (var outbox = OpenOutbox())
        {
            for (var i = 20; i < 25; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.FlushAsync(default);
            seq = Assert.Single(await outbox.OpenBatchesAsync(OutboxLane.Readings, 10, 1, default)).Seq;
            Assert.Equal(3, seq);
        }
        await using (var outbox = OpenOutbox())
        {
            for (var i = 30; i < 32; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.FlushAsync(default);
            var uplink = new FakeUplink();
            var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(batch: 10, inFlight: 1));
            using var cts = new CancellationTokenSource();
            var run = publisher.RunAsync(cts.Token);
            await Eventually.TrueAsync(() => outbox.GetStats().ReadingsDepth == 0, "drained");
            await cts.CancelAsync();
            await run;
            var log = uplink.Log.OrderBy(p => p.Call).ToList();
            Assert.Equal([3L, 4], log.Select(Seq));
            Assert.Equal(Enumerable.Range(20, 5).Select(i => ("m-01", Reading(i).IntervalUnixMs)), Keys(log[0]));
        }
    }

    [Fact]
    public async Task With_dcp_ack_a_pubacked_batch_waits_is_republished_after_the_timeout_and_finished_by_the_ack()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        await using var outbox = OpenOutbox(time);
        for (var i = 0; i < 10; i++) await outbox.AppendAsync(Reading(i), default);
        await outbox.FlushAsync(default);
        var uplink = new FakeUplink();
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(batch: 10, ack: true), time);
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);

        await Eventually.TrueAsync(() => publisher.GetStats().AwaitingDcpAck == 1, "PUBACKed, awaiting the DCP");
        Assert.Equal(10, outbox.GetStats().ReadingsDepth); // kept beyond the PUBACK
        Assert.Equal(0, outbox.GetStats().SentItems);
        time.Advance(TimeSpan.FromMinutes(5));
        await Eventually.TrueAsync(() => uplink.Log.Count == 2 && publisher.GetStats().RepublishedAfterTimeout == 1, "re-published after the timeout");
        var log = uplink.Log.OrderBy(p => p.Call).ToList();
        Assert.Equal(log[0].Text, log[1].Text);
        Assert.Equal(1, Seq(log[1]));

        Assert.False(publisher.OnAck(Utf8("""{"seq":[0]}""")));           // garbage: logged, nothing finished
        Assert.False(publisher.OnAck(Utf8("""{"from":1}""")));
        Assert.True(publisher.OnAck(Utf8("""{"seq":[77]}""")));           // well-formed, unknown seq: ignored
        Assert.True(publisher.OnAck(Utf8("""{"from":1,"to":1}""")));
        await Eventually.TrueAsync(() => outbox.GetStats() is { ReadingsDepth: 0, SentItems: 10 } && publisher.GetStats().AwaitingDcpAck == 0, "acked batch moved to the history");
        Assert.Equal(1, publisher.GetStats().DcpAckedBatches);
        Assert.Equal(2, publisher.GetStats().MalformedAcks);
        time.Advance(TimeSpan.FromMinutes(10));
        await outbox.FlushAsync(default);
        Assert.Equal(2, uplink.Log.Count); // not published again once acknowledged
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task With_dcp_ack_a_full_window_pauses_new_batches_until_an_ack()
    {
        await using var outbox = OpenOutbox();
        for (var i = 0; i < 50; i++) await outbox.AppendAsync(Reading(i), default);
        await outbox.FlushAsync(default);
        var uplink = new FakeUplink();
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(batch: 10, inFlight: 4, ack: true, window: 2));
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);

        await Eventually.TrueAsync(() => publisher.GetStats().AwaitingDcpAck == 2, "window filled");
        // A commit wakes the publisher; with the window full it must not open or publish more.
        await outbox.AppendAsync(Event(1), default);
        await Eventually.TrueAsync(() => outbox.GetStats().EventsDepth == 1 && uplink.Calls == 2, "woken, nothing more published");
        await outbox.FlushAsync(default);
        Assert.Equal(2, uplink.Calls);
        Assert.Equal(2, outbox.GetStats().OpenBatches);

        publisher.OnAck(Utf8("""{"seq":[1]}"""));
        await Eventually.TrueAsync(() => uplink.Calls == 3, "one more batch once one was acked");
        var third = uplink.Log.OrderBy(p => p.Call).Last();
        Assert.Equal("dcu/d1/events", third.Message.Topic); // the higher lane goes first
        Assert.Equal(3, Seq(third));
        publisher.OnAck(Utf8("""{"from":2,"to":100}"""));
        await Eventually.TrueAsync(() => uplink.Calls == 5 && publisher.GetStats().AwaitingDcpAck == 2, "two more (seqs 4, 5)");
        publisher.OnAck(Utf8("""{"from":2,"to":100}"""));
        await Eventually.TrueAsync(() => uplink.Calls == 6, "the last reading batch (seq 6)");
        publisher.OnAck(Utf8("""{"from":2,"to":100}"""));
        await Eventually.TrueAsync(() => outbox.GetStats() is { ReadingsDepth: 0, EventsDepth: 0, OpenBatches: 0 }, "all acked");
        await cts.CancelAsync();
        await run;
        Assert.Equal(51, outbox.GetStats().SentItems);
    }

    [Fact]
    public async Task With_dcp_ack_batches_awaiting_at_a_restart_are_published_again()
    {
        await using (var outbox = OpenOutbox())
        {
            for (var i = 0; i < 5; i++) await outbox.AppendAsync(Reading(i), default);
            await outbox.FlushAsync(default);
            var uplink = new FakeUplink();
            var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(ack: true));
            using var cts = new CancellationTokenSource();
            var run = publisher.RunAsync(cts.Token);
            await Eventually.TrueAsync(() => publisher.GetStats().AwaitingDcpAck == 1, "PUBACKed");
            var loops = publisher.Loops;
            for (var i = 0; i < 5; i++) await outbox.FlushAsync(default);
            Assert.InRange(publisher.Loops - loops, 0, 2); // idle while awaiting: no spinning
            await cts.CancelAsync();
            await run;
        }
        await using (var outbox = OpenOutbox())
        {
            Assert.Equal(5, outbox.GetStats().ReadingsDepth);
            var uplink = new FakeUplink();
            var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(ack: true));
            using var cts = new CancellationTokenSource();
            var run = publisher.RunAsync(cts.Token);
            await Eventually.TrueAsync(() => publisher.GetStats().AwaitingDcpAck == 1, "published again after the restart");
            Assert.Equal(1, Seq(Assert.Single(uplink.Log)));
            publisher.OnAck(Utf8("""{"seq":[1]}"""));
            await Eventually.TrueAsync(() => outbox.GetStats().ReadingsDepth == 0, "finished by the ack");
            await cts.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task Resend_command_brings_items_back_on_their_topics_with_new_seqs()
    {
        await using var outbox = OpenOutbox();
        for (var i = 0; i < 6; i++) await outbox.AppendAsync(Reading(i, i < 3 ? "m-a" : "m-b"), default);
        for (var i = 0; i < 2; i++) await outbox.AppendAsync(Reading(i, "m-a"), OutboxLane.Billing, default);
        await outbox.FlushAsync(default);
        var uplink = new FakeUplink();
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(batch: 3));
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);
        await Eventually.TrueAsync(() => outbox.GetStats() is { TotalDepth: 0, SentItems: 8 }, "drained into the history");
        var first = uplink.Log.OrderBy(p => p.Call).ToList();
        Assert.Equal(["dcu/d1/billing", "dcu/d1/readings", "dcu/d1/readings"], first.Select(p => p.Message.Topic));
        Assert.Equal([1L, 2, 3], first.Select(Seq));

        var handler = new ResendCommandHandler(outbox);
        static CommandRequest Request(string args) => new("c-9", "resend", long.MaxValue, new CommandArgs(JsonDocument.Parse(args).RootElement.Clone()));

        // By seq: the billing batch comes back on the billing topic.
        var outcome = await handler.ExecuteAsync(Request("""{"seqFrom":1,"seqTo":1}"""), default);
        Assert.Equal(2, (int)outcome.Data!["queued"]!);
        await Eventually.TrueAsync(() => uplink.Log.Count == 4 && outbox.GetStats().TotalDepth == 0, "billing resent");
        var billing = uplink.Log.OrderBy(p => p.Call).Last();
        Assert.Equal("dcu/d1/billing", billing.Message.Topic);
        Assert.Equal(4, Seq(billing));
        Assert.Equal(Keys(first[0]), Keys(billing)); // same identities

        // By meter and interval time: m-b's readings 3 and 4.
        outcome = await handler.ExecuteAsync(Request($$"""{"meters":["m-b"],"from":{{Reading(3).IntervalUnixMs}},"to":{{Reading(4).IntervalUnixMs}}}"""), default);
        Assert.Equal(2, (int)outcome.Data!["queued"]!);
        await Eventually.TrueAsync(() => uplink.Log.Count == 5 && outbox.GetStats().TotalDepth == 0, "readings resent");
        var readings = uplink.Log.OrderBy(p => p.Call).Last();
        Assert.Equal("dcu/d1/readings", readings.Message.Topic);
        Assert.Equal(5, Seq(readings));
        Assert.Equal([("m-b", Reading(3).IntervalUnixMs), ("m-b", Reading(4).IntervalUnixMs)], Keys(readings));
        await cts.CancelAsync();
        await run;
    }
}
