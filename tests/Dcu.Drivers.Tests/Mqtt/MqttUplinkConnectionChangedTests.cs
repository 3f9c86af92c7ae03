using System.Collections.Concurrent;
using Dcu.Drivers.Mqtt;
using Dcu.Testing;
using static Dcu.Drivers.Tests.Mqtt.MqttTestSettings;

namespace Dcu.Drivers.Tests.Mqtt;

public sealed class MqttUplinkConnectionChangedTests
{
    [Fact]
    public async Task Raises_up_on_connect_down_when_the_broker_goes_and_up_again_when_it_is_back()
    {
        var port = FreeTcpPort.Get();
        var broker = await EmbeddedBroker.StartAsync(port);
        var changes = new ConcurrentQueue<bool>();
        await using var uplink = new MqttUplink(Fast(port, "changes1"), new ListLogger<MqttUplink>());
        uplink.ConnectionChanged += up => changes.Enqueue(up);
        await uplink.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => changes.Count == 1, "up at the first connect");
        Assert.True(uplink.IsConnected);

        await broker.DisposeAsync();
        await Eventually.TrueAsync(() => changes.Count == 2, "down once the broker is gone");
        Assert.False(uplink.IsConnected);

        await using var again = await EmbeddedBroker.StartAsync(port);
        await Eventually.TrueAsync(() => changes.Count == 3, "up again");
        Assert.Equal([true, false, true], changes.ToArray());
        Assert.True(uplink.IsConnected);

        await uplink.StopAsync(CancellationToken.None);
        Assert.Equal(3, changes.Count); // a clean stop is no outage
    }
}
