using Dcu.Drivers.Plc;

namespace Dcu.Drivers.Tests.Plc;

public class Q13762FieldTests
{
    [Theory]
    [InlineData(1, 0x01, 0x00)]
    [InlineData(2, 0x02, 0x00)]
    [InlineData(4, 0x08, 0x00)]
    [InlineData(8, 0x80, 0x00)]
    [InlineData(9, 0x01, 0x01)]
    [InlineData(10, 0x02, 0x01)]
    [InlineData(2040, 0x80, 0xFE)]
    public void Fn_maps_to_dt1_dt2_and_back(int fn, byte dt1, byte dt2)
    {
        var f = new Q13762Fn(fn);
        Assert.Equal(dt1, f.Dt1);
        Assert.Equal(dt2, f.Dt2);
        Assert.Equal(fn, Q13762Fn.FromDataUnit(dt1, dt2).Number);
        Assert.Equal(f, Q13762Fn.FromDataUnit(dt1, dt2));
    }

    [Fact]
    public void Fn_round_trips_over_its_whole_range()
    {
        for (var n = 1; n <= Q13762Fn.Max; n++)
        {
            var f = new Q13762Fn(n);
            Assert.Equal(n, Q13762Fn.FromDataUnit(f.Dt1, f.Dt2).Number);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new Q13762Fn(0));
        Assert.Equal(0, Q13762Fn.FromDataUnit(0x03, 0).Number);
        Assert.Equal(0, Q13762Fn.FromDataUnit(0x00, 0).Number);
    }

    [Fact]
    public void Control_byte_fields()
    {
        Assert.Equal(0x41, Q13762Control.Create(false, true, Q13762CommMode.NarrowbandCentralised).Value);
        Assert.Equal(0x81, Q13762Control.Create(true, false, Q13762CommMode.NarrowbandCentralised).Value);
        Assert.Equal(0xC1, Q13762Control.Create(true, true, Q13762CommMode.NarrowbandCentralised).Value);
        var c = new Q13762Control(0xC3);
        Assert.True(c.IsUplink);
        Assert.True(c.IsInitiator);
        Assert.Equal(Q13762CommMode.Broadband, c.CommMode);
    }

    [Fact]
    public void Info_field_meanings()
    {
        var down = new Q13762Info(0x25, 0x31, 0x10, 0x60, 0x89, 0x07).AsDownlink();
        Assert.True(down.RouteFlag);
        Assert.True(down.HasAddress);
        Assert.False(down.ConflictDetection);
        Assert.Equal(2, down.RelayLevel);
        Assert.Equal(1, down.Channel);
        Assert.Equal(3, down.ErrorCorrection);
        Assert.Equal(0x10, down.ExpectedReplyBytes);
        Assert.Equal(0x0960, down.Rate);
        Assert.True(down.RateInKbps);
        Assert.Equal(7, down.Sequence);

        var up = new Q13762Info(0x04, 0x02, 0x41, 0xA3, 0x01, 0x09).AsUplink();
        Assert.True(up.HasAddress);
        Assert.Equal(2, up.Channel);
        Assert.Equal(1, up.Phase);
        Assert.Equal(4, up.MeterChannelKind);
        Assert.Equal(3, up.CommandSignalQuality);
        Assert.Equal(10, up.ReplySignalQuality);
        Assert.True(up.HasEvent);
    }

    [Fact]
    public void Address_is_sent_low_byte_first()
    {
        Assert.Equal("129078563412", PlcHex.Of(PlcAddress.Parse("123456789012").ToBytes()));
        Assert.Equal("123456789012", PlcAddress.Read(PlcHex.Bytes("12 90 78 56 34 12")).ToString());
        Assert.False(PlcAddress.TryParse("12345", out _));
        Assert.False(PlcAddress.TryParse("12345678901X", out _));
    }

    [Fact]
    public void Data_units_round_trip()
    {
        var info = new PlcModuleInfo("TC", "01", new DateOnly(2023, 12, 31), "0102");
        Assert.True(Q13762Data.TryParseModuleInfo(Q13762Data.ModuleInfo(info), out var parsed));
        Assert.Equal(info, parsed);

        Assert.True(Q13762Data.TryParseSlaveCount(Q13762Data.SlaveCount(10, 512), out var count, out var max));
        Assert.Equal((10, 512), (count, max));

        var nodes = new[] { new PlcSlaveNode(PlcAddress.Parse("000000000011"), 0x1234) };
        Assert.True(Q13762Data.TryParseSlaveList(Q13762Data.SlaveList(5, nodes), out var total, out var list));
        Assert.Equal(5, total);
        Assert.Equal(nodes, list);

        var addresses = new[] { PlcAddress.Parse("000000000011"), PlcAddress.Parse("000000000012") };
        foreach (var edition in new[] { Q13762Edition.V2009, Q13762Edition.V2013 })
        {
            Assert.True(Q13762Data.TryParseAddSlaves(Q13762Data.AddSlaves(edition, addresses, PlcProtocolType.Dlt645_2007), edition, out var added));
            Assert.Equal(addresses, added);
            var fwd = Q13762Data.ForwardRequest(edition, PlcProtocolType.Dlt645_2007, [1, 2, 3]);
            Assert.True(Q13762Data.TryParseForwardRequest(fwd, edition, out _, out var frame));
            Assert.Equal([1, 2, 3], frame);
            Assert.True(Q13762Data.TryParseForwardReply(Q13762Data.ForwardReply(edition, PlcProtocolType.Dlt645_2007, [4, 5]), Q13762Edition.V2013, out var reply));
            Assert.Equal([4, 5], reply!.Frame);
        }
        Assert.True(Q13762Data.TryParseDeleteSlaves(Q13762Data.DeleteSlaves(addresses), out var deleted));
        Assert.Equal(addresses, deleted);
        Assert.Equal("563412170524", PlcHex.Of(Q13762Data.Clock(new DateTimeOffset(2024, 5, 17, 12, 34, 56, TimeSpan.Zero))));
    }
}
