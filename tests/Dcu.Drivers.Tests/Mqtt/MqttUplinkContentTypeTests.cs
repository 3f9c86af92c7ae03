using System.Buffers;
using System.Collections.Concurrent;
using Dcu.Core.Abstractions;
using Dcu.Core.Uplink.Encodings;
using Dcu.Drivers.Mqtt;
using Dcu.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using static Dcu.Drivers.Tests.Mqtt.MqttTestSettings;

namespace Dcu.Drivers.Tests.Mqtt;

/// <summary>The content type of an <see cref="UplinkMessage"/> reaches an MQTT 5 subscriber through a real Mosquitto, with the payload unchanged.</summary>
public sealed class MqttUplinkContentTypeTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_compact_batch_arrives_with_its_content_type_and_decodes_on_the_other_side()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        using var dcp = new MqttClientFactory().CreateMqttClient();
        dcp.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await dcp.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId("dcp-ct").Build());
        await dcp.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("dcu/ct1/readings", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        await using var uplink = new MqttUplink(Fast(broker.Port, "ct1"), new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        var batch = SampleReadings.Site(10);
        var payload = new ArrayBufferWriter<byte>();
        CompactBatchEncoding.Instance.EncodeReadings(payload, "ct1", 42, batch);
        Assert.True(await uplink.PublishAsync(new UplinkMessage("dcu/ct1/readings", payload.WrittenMemory) { ContentType = ContentTypes.Compact }, CancellationToken.None));
        Assert.True(await uplink.PublishAsync(new UplinkMessage("dcu/ct1/readings", Utf8("{}")), CancellationToken.None));

        await Eventually.TrueAsync(() => received.Count == 2, "the DCP got both messages");
        var messages = received.ToArray();
        Assert.Equal(ContentTypes.Compact, messages[0].ContentType);
        Assert.Null(messages[1].ContentType); // none set, none sent
        var decoded = CompactBatchDecoder.Decode(messages[0].Payload.ToArray());
        Assert.Equal(42, decoded.Seq);
        Assert.Equal(batch.Select(r => r.Reading!), decoded.Readings);
        await dcp.DisconnectAsync();
    }
}
