using System.Diagnostics;
using System.Text;
using Dcu.Core.Abstractions;
using Dcu.Drivers.Mqtt;
using Dcu.Testing;
using static Dcu.Drivers.Tests.Mqtt.MqttTestSettings;

namespace Dcu.Drivers.Tests.Mqtt;

/// <summary>The uplink against a real Mosquitto 2.0 on loopback.</summary>
public sealed class MqttUplinkMosquittoTests
{
    const string Online = """{"state":"online"}""";
    const string Offline = """{"state":"offline"}""";
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Publishes_at_qos1_to_a_subscriber_and_leaves_a_retained_online_status()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var dcp = await MqttProbe.ConnectAsync(broker.Port, "dcu/pub1/data/#");
        var logger = new ListLogger<MqttUplink>();
        await using var uplink = new MqttUplink(Fast(broker.Port, "pub1"), logger);
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(uplink.IsConnected);
        Assert.True(await uplink.PublishAsync(new UplinkMessage("dcu/pub1/data/readings", Utf8("r1")), CancellationToken.None));
        Assert.True(await uplink.PublishAsync(new UplinkMessage("nobody/listens", Utf8("x")), CancellationToken.None), "no subscribers still counts as acknowledged");
        await Eventually.TrueAsync(() => dcp.Saw("dcu/pub1/data/readings", "r1"), "the DCP sees the reading");

        // A subscriber that comes later gets the retained birth message.
        await using var late = await MqttProbe.ConnectAsync(broker.Port, "dcu/pub1/status");
        await Eventually.TrueAsync(() => late.Received.Any(m => m.Topic == "dcu/pub1/status" && m.Payload == Online && m.Retain), "retained online status");
        Assert.Equal(2, uplink.Stats.PublishesOk);
        Assert.Equal(1, uplink.Stats.Connects);
        Assert.Contains(logger.Lines, l => l.Contains("connected to", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Clean_stop_publishes_offline_and_a_dropped_connection_gets_the_last_will()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var proxy = new TcpProxy(broker.Port);
        await using var watcher = await MqttProbe.ConnectAsync(broker.Port, "dcu/will1/status");
        var uplink = new MqttUplink(Fast(proxy.Port, "will1"), new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);
        await Eventually.TrueAsync(() => watcher.Saw("dcu/will1/status", Online), "online status");

        // Kill the TCP connection under the client: no DISCONNECT reaches Mosquitto, so it publishes the will.
        proxy.Cut();
        await Eventually.TrueAsync(() => watcher.Received.SkipWhile(m => m.Payload != Online).Any(m => m.Payload == Offline), "Last Will 'offline' after the drop");
        // ... and the uplink comes back by itself and says so.
        await Eventually.TrueAsync(() => uplink.Stats.Connects == 2 && uplink.IsConnected, "reconnect after the drop");
        await Eventually.TrueAsync(() => watcher.Received[^1].Payload == Online, "online again");

        await uplink.DisposeAsync();
        await Eventually.TrueAsync(() => watcher.Received[^1].Payload == Offline, "offline status on a clean stop");
        Assert.False(uplink.IsConnected);
    }

    [Fact]
    public async Task Broker_outage_fails_publishes_promptly_and_the_link_comes_back_by_itself()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        var options = Fast(broker.Port, "outage1");
        await using var uplink = new MqttUplink(options, new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        await broker.StopAsync();
        await Eventually.TrueAsync(() => !uplink.IsConnected, "IsConnected false once the broker is gone");
        var clock = Stopwatch.StartNew();
        Assert.False(await uplink.PublishAsync(new UplinkMessage("dcu/outage1/data", Utf8("lost")), CancellationToken.None));
        Assert.True(clock.Elapsed < options.PublishTimeout + TimeSpan.FromSeconds(1), $"publish took {clock.Elapsed}");
        var waiting = uplink.WaitConnectedAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        // A few failed attempts against the closed port, with backoff.
        await Eventually.TrueAsync(() => uplink.Stats.ConnectFailures >= 2, "reconnect attempts while the broker is down");

        await broker.StartAsync();
        await waiting.WaitAsync(Wait);
        await using var dcp = await MqttProbe.ConnectAsync(broker.Port, "dcu/outage1/#");
        Assert.True(await uplink.PublishAsync(new UplinkMessage("dcu/outage1/data", Utf8("after")), CancellationToken.None));
        await Eventually.TrueAsync(() => dcp.Saw("dcu/outage1/data", "after"), "publish after the restart");
        var stats = uplink.Stats;
        Assert.Equal(2, stats.Connects);
        Assert.Equal(1, stats.Disconnects);
        Assert.True(stats.PublishesFailed >= 1);
        Assert.NotNull(stats.LastError);
    }

    [Fact]
    public async Task Half_open_link_times_out_the_publish_and_the_supervisor_reconnects()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var proxy = new TcpProxy(broker.Port);
        var options = Fast(proxy.Port, "halfopen1");
        options.HealthCheckInterval = TimeSpan.FromMinutes(10); // only the publish timeout may find the dead link
        var logger = new ListLogger<MqttUplink>();
        await using var uplink = new MqttUplink(options, logger);
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        proxy.Freeze();
        var clock = Stopwatch.StartNew();
        Assert.False(await uplink.PublishAsync(new UplinkMessage("dcu/halfopen1/data", Utf8("stuck")), CancellationToken.None));
        Assert.InRange(clock.Elapsed, options.PublishTimeout - TimeSpan.FromMilliseconds(100), options.PublishTimeout + TimeSpan.FromSeconds(2));
        Assert.True(uplink.Stats.PublishTimeouts == 1, $"timeouts {uplink.Stats.PublishTimeouts}, last error {uplink.Stats.LastError}\n{logger.Text}");
        await Eventually.TrueAsync(() => !uplink.IsConnected, "link marked down after the timeout");

        proxy.Thaw();
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);
        Assert.True(await uplink.PublishAsync(new UplinkMessage("dcu/halfopen1/data", Utf8("again")), CancellationToken.None));
        Assert.Equal(2, uplink.Stats.Connects);
    }

    [Fact]
    public async Task Commands_on_the_command_topic_reach_the_reader()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var uplink = new MqttUplink(Fast(broker.Port, "cmd1"), new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);
        await using var dcp = await MqttProbe.ConnectAsync(broker.Port);

        await dcp.PublishAsync("dcu/cmd1/cmd/read", """{"meter":"m1"}""");
        await dcp.PublishAsync("dcu/other/cmd/read", "not ours");
        await dcp.PublishAsync("dcu/cmd1/cmd/sync-clock", "{}");

        using var cts = new CancellationTokenSource(Wait);
        var received = new List<UplinkMessage>();
        await foreach (var command in uplink.ReadCommandsAsync(cts.Token))
        {
            received.Add(command);
            if (received.Count == 2) break;
        }
        Assert.Equal(["dcu/cmd1/cmd/read", "dcu/cmd1/cmd/sync-clock"], received.Select(c => c.Topic));
        Assert.Equal("""{"meter":"m1"}""", Encoding.UTF8.GetString(received[0].Payload.Span));
        Assert.Equal(2, uplink.Stats.CommandsReceived);
    }

    [Fact]
    public async Task Acks_on_the_ack_topic_come_out_with_the_commands()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var uplink = new MqttUplink(Fast(broker.Port, "ack1"), new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);
        await using var dcp = await MqttProbe.ConnectAsync(broker.Port);

        await dcp.PublishAsync("dcu/ack1/ack", """{"seq":[12,13]}""");
        await dcp.PublishAsync("dcu/other/ack", """{"seq":[1]}""");
        await dcp.PublishAsync("dcu/ack1/cmd/ping", "{}");

        using var cts = new CancellationTokenSource(Wait);
        var received = new List<UplinkMessage>();
        await foreach (var message in uplink.ReadCommandsAsync(cts.Token))
        {
            received.Add(message);
            if (received.Count == 2) break;
        }
        Assert.Equal(["dcu/ack1/ack", "dcu/ack1/cmd/ping"], received.Select(c => c.Topic));
        Assert.Equal("""{"seq":[12,13]}""", Encoding.UTF8.GetString(received[0].Payload.Span));
    }

    [Fact]
    public async Task Refused_connect_is_logged_and_retried_not_thrown_and_the_password_never_logged()
    {
        const string secret = "s3cret-Pa55";
        await using var broker = await MosquittoBroker.StartNewAsync(users: new Dictionary<string, string> { ["dcu"] = secret });
        var wrong = Fast(broker.Port, "auth1");
        wrong.Username = "dcu";
        wrong.Password = "wrong-" + secret;
        var logger = new ListLogger<MqttUplink>();
        await using (var uplink = new MqttUplink(wrong, logger))
        {
            await uplink.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => uplink.Stats.ConnectFailures >= 3, "several refused attempts");
            Assert.False(uplink.IsConnected);
            Assert.Contains("refused", uplink.Stats.LastError, StringComparison.Ordinal);
            Assert.False(await uplink.PublishAsync(new UplinkMessage("dcu/auth1/data", Utf8("x")), CancellationToken.None));
        }
        Assert.Contains(logger.Lines, l => l.Contains("refused connect", StringComparison.Ordinal));

        var right = Fast(broker.Port, "auth1");
        right.Username = "dcu";
        right.Password = secret;
        await using (var uplink = new MqttUplink(right, logger))
        {
            await uplink.StartAsync(CancellationToken.None);
            await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);
        }
        Assert.DoesNotContain(secret, logger.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_caller_gets_OperationCanceledException()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var uplink = new MqttUplink(Fast(broker.Port, "cancel1"), new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => uplink.PublishAsync(new UplinkMessage("dcu/cancel1/x", Utf8("x")), cancelled.Token));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(64)] // above Mosquitto's default Receive Maximum (20)
    public async Task A_burst_of_publishes_through_the_in_flight_window_is_all_acknowledged(int maxInFlight)
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var dcp = await MqttProbe.ConnectAsync(broker.Port, $"dcu/burst{maxInFlight}/data/#");
        var options = Fast(broker.Port, "burst" + maxInFlight);
        options.MaxInFlight = maxInFlight;
        await using var uplink = new MqttUplink(options, new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            uplink.PublishAsync(new UplinkMessage($"dcu/burst{maxInFlight}/data/{i % 10}", Utf8(i.ToString())), CancellationToken.None)));
        Assert.True(results.All(r => r), $"{results.Count(r => !r)} failed, last error: {uplink.Stats.LastError}");
        await Eventually.TrueAsync(() => dcp.Received.Count == 500, "all 500 at the DCP");
    }

    [Fact]
    public async Task Commands_sent_while_the_DCU_is_away_arrive_after_it_reconnects()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        var options = Fast(broker.Port, "session1");
        await using (var first = new MqttUplink(options, new ListLogger<MqttUplink>()))
        {
            await first.StartAsync(CancellationToken.None);
            await first.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);
        }

        await using var dcp = await MqttProbe.ConnectAsync(broker.Port);
        await dcp.PublishAsync("dcu/session1/cmd/read", "queued while away");

        // Same client id, CleanStart=false with a session expiry: the broker kept the subscription and the command.
        await using var second = new MqttUplink(options, new ListLogger<MqttUplink>());
        await second.StartAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource(Wait);
        await using var commands = second.ReadCommandsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await commands.MoveNextAsync());
        Assert.Equal("queued while away", Encoding.UTF8.GetString(commands.Current.Payload.Span));
    }
}
