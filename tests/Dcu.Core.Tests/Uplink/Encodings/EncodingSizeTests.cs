using Dcu.Core.Uplink.Encodings;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Core.Tests.Uplink.Encodings;

/// <summary>The size target, a property of the format: at most 10 bytes on the wire per reading for a batch of 1,000 interval readings.</summary>
public sealed class EncodingSizeTests(ITestOutputHelper output)
{
    private const string Topic = "dcu/dcu-0042/readings";

    [Theory]
    [InlineData(100, 1, false)] // 100 meters x 10 quantities, one 15-minute interval
    [InlineData(25, 4, false)] // 25 meters x 10 quantities x 4 intervals, some flagged late
    [InlineData(100, 1, true)] // the same site with float32 register values (Modbus meters)
    public void A_batch_of_1000_interval_readings_costs_at_most_10_bytes_a_reading_on_the_wire(int meters, int intervals, bool float32)
    {
        var batch = SampleReadings.Site(meters, intervals, float32);
        Assert.Equal(1_000, batch.Length);
        var payload = CompactSamples.Compact(batch, seq: 1_000_017);
        var wire = MqttWireModel.Publish(Topic, payload.Length, ContentTypes.Compact);
        var perReading = wire.Total / (double)batch.Length;
        output.WriteLine($"payload {payload.Length} B, publish {wire.PublishPacket} B in {wire.Segments} segments, wire {wire.Total} B, {perReading:F2} B/reading");
        Assert.True(perReading <= 10, $"{perReading:F2} bytes per reading on the wire");
    }

    [Fact]
    public void Compact_is_smaller_than_json_deflate_which_is_smaller_than_json()
    {
        var batch = SampleReadings.Site(100);
        var json = CompactSamples.Encode(JsonBatchEncoding.Instance, batch).Length;
        var deflated = CompactSamples.Encode(JsonDeflateBatchEncoding.Instance, batch).Length;
        var compact = CompactSamples.Compact(batch).Length;
        output.WriteLine($"json {json}, json-deflate {deflated}, compact {compact}");
        Assert.True(compact * 2 < deflated, $"compact {compact} vs json-deflate {deflated}");
        Assert.True(deflated * 4 < json, $"json-deflate {deflated} vs json {json}");
    }

    [Fact]
    public void The_wire_model_counts_headers_segments_and_the_puback()
    {
        // 100-byte payload, no content type: PUBLISH = 1 + 1 + (2 + 21 + 2 + 1 + 100) = 128, one segment.
        var small = MqttWireModel.Publish(Topic, 100, null);
        Assert.Equal(128, small.PublishPacket);
        Assert.Equal(1, small.Segments);
        Assert.Equal(128 + 40 + (4 + 40) + 40, small.Total);
        // 4,000-byte payload with the compact content type: 3 segments, one pure ACK from the broker.
        var large = MqttWireModel.Publish(Topic, 4_000, ContentTypes.Compact);
        Assert.Equal(1 + 2 + 2 + 21 + 2 + 1 + 3 + ContentTypes.Compact.Length + 4_000, large.PublishPacket);
        Assert.Equal(3, large.Segments);
        Assert.Equal(large.PublishPacket + (3 * 40) + 40 + (4 + 40) + 40, large.Total);
    }
}
