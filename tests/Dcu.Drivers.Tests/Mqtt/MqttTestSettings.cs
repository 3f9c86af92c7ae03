using Dcu.Drivers.Mqtt;

namespace Dcu.Drivers.Tests.Mqtt;

internal static class MqttTestSettings
{
    /// <summary>Short delays so that outages and reconnects play out in well under a second.</summary>
    public static MqttUplinkOptions Fast(int port, string clientId) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        ClientId = clientId,
        KeepAlive = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PublishTimeout = TimeSpan.FromSeconds(1),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        StableConnectionAfter = TimeSpan.FromSeconds(1),
        HealthCheckInterval = TimeSpan.FromMilliseconds(200),
    };

    public static ReadOnlyMemory<byte> Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
