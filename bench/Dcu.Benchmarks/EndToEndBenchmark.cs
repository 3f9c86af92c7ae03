using System.Diagnostics;
using System.Globalization;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;
using Dcu.Drivers.Mqtt;
using Dcu.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace Dcu.Benchmarks;

/// <summary>
/// Readings/s through the real upstream half of the pipeline: ReadingOutbox -> UplinkPublisher ->
/// MqttUplink -> a local Mosquitto at QoS 1, counted as removed from the outbox after PUBACK,
/// and checked on the far side by a subscriber that counts the readings it received.
/// Two shapes: "live" (producers append while the publisher drains) and "backlog" (the outbox is
/// full first, as after a broker outage, then drained).
/// </summary>
internal static class EndToEndBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var n = args.Int("n", 200_000);
        var batch = args.Int("batch", 500);
        var inflight = args.Int("inflight", 8);
        var keepSentDays = args.Int("keep-sent-days", 2); // 0: finished batches are deleted, not moved to the sent history
        var root = Path.Combine(Path.GetTempPath(), "dcu-bench-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Console.WriteLine($"e2e: n={n} batch={batch} in-flight batches={inflight} keep-sent-days={keepSentDays} cores={Environment.ProcessorCount}");
        await using var broker = await MosquittoBroker.StartNewAsync();
        try
        {
            await RunShapeAsync("warm-up", Path.Combine(root, "warm.db"), broker.Port, 20_000, batch, inflight, keepSentDays, backlog: false);
            var live = await RunShapeAsync("live", Path.Combine(root, "live.db"), broker.Port, n, batch, inflight, keepSentDays, backlog: false);
            var backlog = await RunShapeAsync("backlog", Path.Combine(root, "backlog.db"), broker.Port, n, batch, inflight, keepSentDays, backlog: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"result: live {live:N0} readings/s, backlog drain {backlog:N0} readings/s (target >= 30,000/s)"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> RunShapeAsync(string name, string path, int port, int n, int batch, int inflight, int keepSentDays, bool backlog)
    {
        var readings = OutboxBenchmark.MakeReadings(n);
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = path, MaxItems = 10_000_000, KeepSentDays = keepSentDays });
        var dcuId = "bench-" + name;
        var topics = new Topics(dcuId);
        var received = 0L;
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            Interlocked.Add(ref received, CountReadings(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-sub-" + name).Build());
        await subscriber.SubscribeAsync(topics.Readings, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);

        await using var uplink = new MqttUplink(new MqttUplinkOptions { Host = "127.0.0.1", Port = port, ClientId = dcuId, MaxInFlight = Math.Max(32, inflight), StatusTopic = topics.Status, CommandTopicFilter = "" },
            NullLogger<MqttUplink>.Instance);
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None);
        var publisher = new UplinkPublisher(uplink, outbox, topics, new UplinkPublisherOptions { BatchSize = batch, MaxInFlight = inflight });
        using var stop = new CancellationTokenSource();

        if (backlog)
        {
            await AppendAllAsync(outbox, readings);
            await outbox.FlushAsync(CancellationToken.None);
        }
        var sw = Stopwatch.StartNew();
        var publishing = publisher.RunAsync(stop.Token);
        if (!backlog) await AppendAllAsync(outbox, readings);
        while (outbox.GetStats().ReadingsDepth > 0 || outbox.GetStats().AppendedTotal < n) await Task.Delay(2);
        var drained = sw.Elapsed;
        while (Interlocked.Read(ref received) < n && sw.Elapsed < drained + TimeSpan.FromSeconds(10)) await Task.Delay(2);
        await stop.CancelAsync();
        await publishing;
        await uplink.StopAsync(CancellationToken.None);
        var rate = n / drained.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-8}: {n:N0} readings acknowledged in {drained.TotalMilliseconds:N0} ms = {rate:N0} readings/s; subscriber received {received:N0}; outbox commits {outbox.GetStats().CommittedBatches:N0}; stats {publisher.GetStats()}"));
        return rate;
    }

    private static async Task AppendAllAsync(ReadingOutbox outbox, Reading[] readings)
    {
        foreach (var r in readings) await outbox.AppendAsync(r, CancellationToken.None);
    }

    // Readings in a batch payload: one "m" key per reading (see docs/mqtt-contract.md).
    private static int CountReadings(System.Buffers.ReadOnlySequence<byte> payload)
    {
        var count = 0;
        var reader = new System.Buffers.SequenceReader<byte>(payload);
        ReadOnlySpan<byte> key = "\"m\":"u8;
        while (reader.TryAdvanceTo(key[0], advancePastDelimiter: true))
            if (reader.IsNext(key[1..], advancePast: true)) count++;
        return count;
    }
}
