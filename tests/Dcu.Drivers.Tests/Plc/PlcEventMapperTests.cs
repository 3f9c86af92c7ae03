using Dcu.Core.Model;
using Dcu.Drivers.Plc;

namespace Dcu.Drivers.Tests.Plc;

public sealed class PlcEventMapperTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, MeterId> Archive = new() { ["123456789012"] = new MeterId("flat-7") };

    [Fact]
    public void A_meter_event_upload_names_the_archive_meter_and_keeps_the_frame()
    {
        var e = PlcEventMapper.ToMeterEvent(new PlcMeterFrameReported(At, PlcAddress.Parse("123456789012"), PlcProtocolType.Dlt645_2007, [0x68, 0x16], IsEvent: true), "plc-1", Archive)!;
        Assert.Equal(new MeterId("flat-7"), e.Meter);
        Assert.Equal(PlcEventMapper.MeterEventUpload, e.Kind);
        Assert.Equal(At.ToUnixTimeMilliseconds(), e.UnixMs);
        Assert.Contains("6816", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_upload_from_a_meter_outside_the_archive_is_still_reported()
    {
        var e = PlcEventMapper.ToMeterEvent(new PlcMeterFrameReported(At, PlcAddress.Parse("000000000099"), PlcProtocolType.Dlt645_2007, [0x68], IsEvent: true), "plc-1", Archive)!;
        Assert.Null(e.Meter);
        Assert.Contains("000000000099 (not in the archive)", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Resets_and_registered_nodes_become_dcu_events()
    {
        Assert.Equal(PlcEventMapper.ModuleReset, PlcEventMapper.ToMeterEvent(new PlcModuleResetDetected(At, "run mode re-announced"), "plc-1", Archive)!.Kind);
        var nodes = PlcEventMapper.ToMeterEvent(new PlcNodesReported(At, [PlcAddress.Parse("123456789012"), PlcAddress.Parse("000000000042")]), "plc-1", Archive)!;
        Assert.Equal(PlcEventMapper.NodesReported, nodes.Kind);
        Assert.Contains("2 node(s), 1 not in the archive: 000000000042", nodes.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Protocol_chatter_and_plain_read_reports_are_no_events()
    {
        Assert.Null(PlcEventMapper.ToMeterEvent(new PlcMeterFrameReported(At, null, PlcProtocolType.Dlt645_2007, [0x68], IsEvent: false), "plc-1", Archive));
        Assert.Null(PlcEventMapper.ToMeterEvent(new PlcModuleRequestReceived(At, new Q13762Fn(1), []), "plc-1", Archive));
    }
}
