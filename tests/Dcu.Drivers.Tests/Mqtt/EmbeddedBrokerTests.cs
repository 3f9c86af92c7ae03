using System.Net;
using System.Net.Sockets;
using Dcu.Core.Abstractions;
using Dcu.Drivers.Mqtt;
using Dcu.Testing;
using static Dcu.Drivers.Tests.Mqtt.MqttTestSettings;

namespace Dcu.Drivers.Tests.Mqtt;

public sealed class EmbeddedBrokerTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Uplink_and_a_subscriber_talk_through_it()
    {
        await using var broker = await EmbeddedBroker.StartAsync(FreeTcpPort.Get());
        Assert.True(broker.IsRunning);
        await using var dcp = await MqttProbe.ConnectAsync(broker.Port, "dcu/demo/#");
        await using var uplink = new MqttUplink(Fast(broker.Port, "demo"), new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(await uplink.PublishAsync(new UplinkMessage("dcu/demo/data", Utf8("hello")), CancellationToken.None));
        await Eventually.TrueAsync(() => dcp.Saw("dcu/demo/data", "hello"), "the subscriber sees the publish");
        await Eventually.TrueAsync(() => dcp.Saw("dcu/demo/status", """{"state":"online"}"""), "birth message");

        await dcp.PublishAsync("dcu/demo/cmd/ping", "{}");
        using var cts = new CancellationTokenSource(Wait);
        await using var commands = uplink.ReadCommandsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await commands.MoveNextAsync());
        Assert.Equal("dcu/demo/cmd/ping", commands.Current.Topic);
    }

    [Fact]
    public async Task A_taken_port_gives_a_clear_message()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedBroker.StartAsync(port));
        Assert.Equal($"port {port} on 127.0.0.1 is in use: stop the other broker or set Mqtt:Port", error.Message);
    }

    [Fact]
    public async Task Dispose_frees_the_port()
    {
        var port = FreeTcpPort.Get();
        var broker = await EmbeddedBroker.StartAsync(port);
        await broker.DisposeAsync();
        await using var again = await EmbeddedBroker.StartAsync(port);
        Assert.True(again.IsRunning);
    }
}
