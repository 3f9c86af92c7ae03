using System.Text.Json;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;

namespace Dcu.Core.Tests.Uplink;

public sealed class EncoderTests
{
    [Fact]
    public void Reading_batch_round_trips_through_JsonDocument()
    {
        OutboxRecord[] batch =
        [
            new(41, OutboxLane.Readings, new Reading(new MeterId("sdm630-01"), ObisCode.VoltageL1, 230.2, "V", 1_767_225_600_000, 1_767_225_601_234), null),
            new(42, OutboxLane.Readings, new Reading(new MeterId("m\"2"), ObisCode.ActiveEnergyImport, 12345.678, "kWh", 1, 2, ReadingQuality.Late | ReadingQuality.ClockInvalid), null),
            new(43, OutboxLane.Readings, new Reading(new MeterId("m3"), ObisCode.Frequency, double.NaN, "Hz", 3, 4), null),
        ];
        using var doc = JsonDocument.Parse(ReadingBatchEncoder.Encode("dcu-7", 1017, batch));
        var root = doc.RootElement;
        Assert.Equal("dcu-7", root.GetProperty("dcu").GetString());
        Assert.Equal(1017, root.GetProperty("seq").GetInt64()); // the batch seq, not an outbox id
        var items = root.GetProperty("readings").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        var a = items[0];
        Assert.Equal("sdm630-01", a.GetProperty("m").GetString());
        Assert.Equal("1.0.32.7.0", a.GetProperty("q").GetString());
        Assert.Equal(230.2, a.GetProperty("v").GetDouble());
        Assert.Equal("V", a.GetProperty("u").GetString());
        Assert.Equal(1_767_225_600_000, a.GetProperty("t").GetInt64());
        Assert.Equal(1_767_225_601_234, a.GetProperty("rt").GetInt64());
        Assert.False(a.TryGetProperty("f", out _));
        Assert.Equal("m\"2", items[1].GetProperty("m").GetString());
        Assert.Equal("1.0.1.8.0", items[1].GetProperty("q").GetString());
        Assert.Equal(12345.678, items[1].GetProperty("v").GetDouble());
        Assert.Equal(3, items[1].GetProperty("f").GetInt32());
        Assert.Equal(JsonValueKind.Null, items[2].GetProperty("v").ValueKind);
    }

    [Fact]
    public void Event_batch_round_trips_and_omits_meter_for_dcu_events()
    {
        OutboxRecord[] batch =
        [
            new(7, OutboxLane.Events, null, new MeterEvent(new MeterId("m1"), EventKinds.MeterOffline, 100, "no answer for 3 polls")),
            new(8, OutboxLane.Events, null, new MeterEvent(null, EventKinds.OutboxEviction, 200, "evicted 5")),
        ];
        using var doc = JsonDocument.Parse(EventBatchEncoder.Encode("d", 88, batch));
        Assert.Equal(88, doc.RootElement.GetProperty("seq").GetInt64());
        var items = doc.RootElement.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("m1", items[0].GetProperty("m").GetString());
        Assert.Equal("meter_offline", items[0].GetProperty("k").GetString());
        Assert.Equal(100, items[0].GetProperty("t").GetInt64());
        Assert.Equal("no answer for 3 polls", items[0].GetProperty("d").GetString());
        Assert.False(items[1].TryGetProperty("m", out _));
        Assert.Equal("outbox_eviction", items[1].GetProperty("k").GetString());
    }

    [Fact]
    public void Topics_follow_the_tree_and_refuse_wildcards()
    {
        var t = new Topics("dcu-7");
        Assert.Equal("dcu/dcu-7/readings", t.Readings);
        Assert.Equal("dcu/dcu-7/events", t.Events);
        Assert.Equal("dcu/dcu-7/billing", t.Billing);
        Assert.Equal("dcu/dcu-7/ack", t.Ack);
        Assert.Equal("dcu/dcu-7/quality", t.Of("quality"));
        Assert.Equal("dcu/dcu-7/status", t.Status);
        Assert.Equal("dcu/dcu-7/cmd/#", t.CommandFilter);
        Assert.Equal("dcu/dcu-7/cmd-result", t.CommandResult);
        Assert.Throws<ArgumentException>(() => new Topics("a/b"));
        Assert.Throws<ArgumentException>(() => new Topics("a+"));
        using var offline = JsonDocument.Parse(Topics.OfflinePayload);
        Assert.Equal("offline", offline.RootElement.GetProperty("state").GetString());
    }
}
