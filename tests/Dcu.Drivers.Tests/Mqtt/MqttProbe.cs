using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Dcu.Drivers.Tests.Mqtt;

/// <summary>A second, plain MQTTnet client that plays the DCP: subscribes and records, publishes commands.</summary>
internal sealed class MqttProbe : IAsyncDisposable
{
    readonly IMqttClient _client;
    readonly ConcurrentQueue<(string Topic, string Payload, bool Retain)> _received = new();

    MqttProbe(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<(string Topic, string Payload, bool Retain)> Received => _received.ToArray();

    public bool Saw(string topic, string payload) => _received.Any(m => m.Topic == topic && m.Payload == payload);

    public static async Task<MqttProbe> ConnectAsync(int port, params string[] filters)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var probe = new MqttProbe(client);
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("probe-" + Guid.NewGuid().ToString("N")[..8]).Build();
        var result = await client.ConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        foreach (var filter in filters)
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return probe;
    }

    public async Task PublishAsync(string topic, string payload, bool retain = false)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();
        var result = await _client.PublishAsync(message);
        Assert.True(result.IsSuccess, $"probe publish to {topic}: {result.ReasonCode}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await _client.DisconnectAsync(); } catch (Exception) { }
        _client.Dispose();
    }
}
