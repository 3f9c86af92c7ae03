using System.Text.Json;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Tests.Outbox;
using Dcu.Core.Uplink;
using Dcu.Testing;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Uplink;

public sealed class UplinkPublisherTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Topics _topics = new("d1");

    public void Dispose() => _dir.Dispose();

    private ReadingOutbox OpenOutbox() => new(new OutboxOptions { Path = _dir.File("outbox.db"), BatchSize = 300 });

    private static UplinkPublisherOptions Fast(int batch = 100, int inFlight = 4) => new()
    {
        BatchSize = batch,
        MaxInFlight = inFlight,
        RetryBackoffMin = TimeSpan.Zero,
        RetryBackoffMax = TimeSpan.FromMilliseconds(5),
        IdleRecheck = TimeSpan.FromHours(1), // only the commit signal can wake it in these tests
    };

    private static List<(string Meter, long T)> ReadingKeys(FakeUplink.Published p)
    {
        using var doc = JsonDocument.Parse(p.Message.Payload);
        return doc.RootElement.GetProperty("readings").EnumerateArray()
            .Select(r => (r.GetProperty("m").GetString()!, r.GetProperty("t").GetInt64())).ToList();
    }

    [Fact]
    public async Task Refused_and_failed_batches_are_resent_and_nothing_is_lost()
    {
        await using var outbox = OpenOutbox();
        var uplink = new FakeUplink
        {
            Behaviour = (call, _, _) => call switch
            {
                2 or 5 or 6 => Task.FromResult(false),                        // refused / link dropped
                9 => throw new InvalidOperationException("driver bug"),       // must not kill the loop
                11 => Task.FromCanceled<bool>(new CancellationToken(true)),   // like a publish timeout
                _ => Task.FromResult(true),
            },
        };
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast());
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);

        const int producers = 3, perProducer = 1500;
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++) await outbox.AppendAsync(Reading(i, $"m-{p}"), default);
        })));
        await outbox.FlushAsync(default);
        await Eventually.TrueAsync(() => outbox.GetStats().ReadingsDepth == 0, "outbox drained");
        await cts.CancelAsync();
        await run;

        var log = uplink.Log.ToList();
        var acked = log.Where(p => p.Acked).SelectMany(ReadingKeys).ToList();
        var expected = Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, perProducer).Select(i => ($"m-{p}", Reading(i).IntervalUnixMs))).ToHashSet();
        Assert.Equal(expected, acked.ToHashSet());                       // nothing lost
        Assert.Equal(acked.Count, acked.Distinct().Count());              // each reading acked once here
        var failed = log.Where(p => !p.Acked).SelectMany(ReadingKeys).ToHashSet();
        Assert.NotEmpty(failed);
        var sent = log.SelectMany(ReadingKeys).GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.All(sent, k => Assert.Contains(k, failed));               // duplicates only for refused batches
        Assert.All(log.Where(p => !p.Acked), f => Assert.Contains(log, p => p.Acked && p.Text == f.Text)); // same batch re-sent
        var stats = publisher.GetStats();
        Assert.Equal(producers * perProducer, stats.ReadingsPublished);
        Assert.Equal(5, stats.FailedPublishes);
    }

    [Fact]
    public async Task Nothing_is_removed_before_its_puback()
    {
        await using var outbox = OpenOutbox();
        var ack = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var uplink = new FakeUplink { Behaviour = (call, _, _) => call == 1 ? ack.Task : Task.FromResult(true) };
        for (var i = 0; i < 50; i++) await outbox.AppendAsync(Reading(i), default);
        await outbox.FlushAsync(default);
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast(batch: 100, inFlight: 1));
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);

        await Eventually.TrueAsync(() => uplink.Calls == 1, "publish started");
        // Give a premature remove every chance to happen: a flush round-trips the writer loop.
        await outbox.FlushAsync(default);
        Assert.True(uplink.Log.IsEmpty);
        Assert.Equal(50, outbox.GetStats().ReadingsDepth);
        Assert.Equal(50, outbox.PeekOldest(OutboxLane.Readings, 100).Length);
        ack.SetResult(false);
        await Eventually.TrueAsync(() => uplink.Log.Count >= 2 && outbox.GetStats().ReadingsDepth == 0, "re-sent and acknowledged");
        await cts.CancelAsync();
        await run;
        var log = uplink.Log.ToList();
        Assert.False(log[0].Acked);
        Assert.Equal(log[0].Text, log[1].Text); // the very same batch
    }

    [Fact]
    public async Task Events_lane_is_drained_first()
    {
        await using var outbox = OpenOutbox();
        for (var i = 0; i < 250; i++) await outbox.AppendAsync(Reading(i), default);
        for (var i = 0; i < 3; i++) await outbox.AppendAsync(Event(i), default);
        await outbox.FlushAsync(default);
        var uplink = new FakeUplink();
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast());
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);
        await Eventually.TrueAsync(() => outbox.GetStats() is { ReadingsDepth: 0, EventsDepth: 0 }, "drained");
        await cts.CancelAsync();
        await run;

        var log = uplink.Log.OrderBy(p => p.Call).ToList();
        Assert.Equal("dcu/d1/events", log[0].Message.Topic);
        Assert.All(log.Skip(1), p => Assert.Equal("dcu/d1/readings", p.Message.Topic));
        Assert.Equal(3, publisher.GetStats().EventsPublished);
        Assert.Equal(250, publisher.GetStats().ReadingsPublished);
    }

    [Fact]
    public async Task Waits_for_connection_and_wakes_on_commit_without_polling()
    {
        await using var outbox = OpenOutbox();
        var uplink = new FakeUplink(connected: false);
        var publisher = new UplinkPublisher(uplink, outbox, _topics, Fast());
        using var cts = new CancellationTokenSource();
        var run = publisher.RunAsync(cts.Token);

        await outbox.AppendAsync(Reading(1), default);
        await outbox.FlushAsync(default);
        Assert.True(uplink.Log.IsEmpty);
        uplink.Connect();
        await Eventually.TrueAsync(() => outbox.GetStats().ReadingsDepth == 0, "first reading sent once connected");

        // Now idle (IdleRecheck is an hour): only the commit signal can wake the publisher.
        await outbox.AppendAsync(new MeterEvent(null, EventKinds.DcuStarted, T0, "boot"), default);
        await Eventually.TrueAsync(() => outbox.GetStats().EventsDepth == 0 && uplink.Log.Count == 2, "woken by the commit");
        await cts.CancelAsync();
        await run;
    }
}
