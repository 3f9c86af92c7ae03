using Dcu.Drivers.Plc;

namespace Dcu.Drivers.Tests.Plc;

public class Q13762FrameTests
{
    public static TheoryData<string> Vectors => [PlcVectors.Afn13Down, PlcVectors.Afn13Up, PlcVectors.Afn03F4Down];

    [Fact]
    public void Afn13_down_is_written_as_the_notes_show()
    {
        var data = Q13762Data.ForwardRequest(Q13762Edition.V2013, PlcProtocolType.Dlt645_2007, PlcHex.Bytes(PlcVectors.Dlt645Read00010000));
        var message = Q13762Message.Request(Q13762CommMode.NarrowbandCentralised, 1, Q13762Afn.RouteForward, Q13762Fn.F1, data,
            PlcAddress.Parse(PlcVectors.MainNode), PlcAddress.Parse(PlcVectors.Meter));
        Assert.Equal(PlcHex.Of(PlcHex.Bytes(PlcVectors.Afn13Down)), PlcHex.Of(Q13762Frame.Encode(message)));
    }

    [Fact]
    public void Afn03F4_query_is_written_as_the_notes_show()
    {
        var message = Q13762Message.Request(Q13762CommMode.NarrowbandCentralised, 2, Q13762Afn.Query, Q13762Fn.F4, default);
        Assert.Equal(PlcHex.Of(PlcHex.Bytes(PlcVectors.Afn03F4Down)), PlcHex.Of(Q13762Frame.Encode(message)));
    }

    [Fact]
    public void Afn13_up_parses_to_the_meter_reply()
    {
        var bytes = PlcHex.Bytes(PlcVectors.Afn13Up);
        Assert.Equal(Q13762FrameStatus.Complete, Q13762Frame.TryParse(bytes, out var m, out var consumed, out var error));
        Assert.Equal(Q13762FrameError.None, error);
        Assert.Equal(bytes.Length, consumed);
        Assert.True(m!.Control.IsUplink);
        Assert.False(m.Control.IsInitiator);
        Assert.Equal(Q13762CommMode.NarrowbandCentralised, m.Control.CommMode);
        Assert.Equal(1, m.Sequence);
        Assert.Equal(PlcAddress.Parse(PlcVectors.Meter), m.Source);
        Assert.Equal(PlcAddress.Parse(PlcVectors.MainNode), m.Destination);
        Assert.Equal(Q13762Afn.RouteForward, m.Afn);
        Assert.Equal(1, m.Fn.Number);
        Assert.True(Q13762Data.TryParseForwardReply(m.Data.Span, Q13762Edition.V2013, out var reply));
        Assert.Equal(PlcProtocolType.Dlt645_2007, reply!.Protocol);
        Assert.Equal(TimeSpan.Zero, reply.Duration);
        Assert.Equal(PlcVectors.Dlt645Reply1234_56.Replace(" ", "", StringComparison.Ordinal), PlcHex.Of(reply.Frame));
        // and back: re-encoding the parsed frame gives the same bytes
        Assert.Equal(PlcHex.Of(bytes), PlcHex.Of(Q13762Frame.Encode(m)));
    }

    [Fact]
    public void Afn13_down_parses_with_its_relay_request()
    {
        var bytes = PlcHex.Bytes(PlcVectors.Afn13Down);
        Assert.Equal(Q13762FrameStatus.Complete, Q13762Frame.TryParse(bytes, out var m, out _, out _));
        Assert.False(m!.IsUplink);
        Assert.True(m.Info.AsDownlink().HasAddress);
        Assert.Equal(PlcAddress.Parse(PlcVectors.MainNode), m.Source);
        Assert.Equal(PlcAddress.Parse(PlcVectors.Meter), m.Destination);
        Assert.True(Q13762Data.TryParseForwardRequest(m.Data.Span, Q13762Edition.V2013, out var protocol, out var frame));
        Assert.Equal(PlcProtocolType.Dlt645_2007, protocol);
        Assert.Equal(PlcVectors.Dlt645Read00010000.Replace(" ", "", StringComparison.Ordinal), PlcHex.Of(frame));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_prefix_is_incomplete_and_consumes_nothing(string hex)
    {
        var bytes = PlcHex.Bytes(hex);
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Equal(Q13762FrameStatus.Incomplete, Q13762Frame.TryParse(bytes.AsSpan(0, n), out var m, out var consumed, out _));
            Assert.Null(m);
            Assert.Equal(0, consumed);
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Round_trips(string hex)
    {
        var bytes = PlcHex.Bytes(hex);
        Assert.Equal(Q13762FrameStatus.Complete, Q13762Frame.TryParse(bytes, out var m, out _, out _));
        Assert.Equal(PlcHex.Of(bytes), PlcHex.Of(Q13762Frame.Encode(m!)));
    }

    [Fact]
    public void Bad_checksum_is_an_error_that_consumes_nothing()
    {
        var bytes = PlcHex.Bytes(PlcVectors.Afn13Up);
        bytes[^2] ^= 0x01;
        Assert.Equal(Q13762FrameStatus.Error, Q13762Frame.TryParse(bytes, out _, out var consumed, out var error));
        Assert.Equal(Q13762FrameError.BadChecksum, error);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Bad_end_byte_is_an_error()
    {
        var bytes = PlcHex.Bytes(PlcVectors.Afn03F4Down);
        bytes[^1] = 0x17;
        Assert.Equal(Q13762FrameStatus.Error, Q13762Frame.TryParse(bytes, out _, out _, out var error));
        Assert.Equal(Q13762FrameError.BadEnd, error);
    }

    [Fact]
    public void Length_is_capped_before_buffering()
    {
        // 3 bytes are enough to refuse L = 0x0900 (2304) against the 2048 cap: no waiting for 2 KiB.
        Assert.Equal(Q13762FrameStatus.Error, Q13762Frame.TryParse([0x68, 0x00, 0x09], out _, out var consumed, out var error));
        Assert.Equal(Q13762FrameError.TooLong, error);
        Assert.Equal(0, consumed);
        Assert.Equal(Q13762FrameStatus.Error, Q13762Frame.TryParse([0x68, 0x20, 0x00], 31, out _, out _, out error));
        Assert.Equal(Q13762FrameError.TooLong, error);
        Assert.Equal(Q13762FrameStatus.Error, Q13762Frame.TryParse([0x68, 0x0E, 0x00], out _, out _, out error));
        Assert.Equal(Q13762FrameError.BadLength, error);
    }

    [Fact]
    public void Address_field_that_does_not_fit_is_bad_length()
    {
        // R1.D2 set on a 15-byte frame: no room for A1/A3.
        byte[] head = [0x41, 0x04, 0, 0, 0, 0, 1, 0x03, 0x01, 0x00];
        byte[] bytes = [0x68, 0x0F, 0x00, .. head, Q13762Frame.Checksum(head), 0x16];
        Assert.Equal(Q13762FrameStatus.Error, Q13762Frame.TryParse(bytes, out _, out _, out var error));
        Assert.Equal(Q13762FrameError.BadLength, error);
    }

    [Fact]
    public void Garbage_before_a_frame_is_skipped_byte_by_byte()
    {
        byte[] garbage = [0x00, 0xFE, 0x68, 0xFF, 0xFF, 0x16, 0x68];
        var stream = garbage.Concat(PlcHex.Bytes(PlcVectors.Afn13Up)).ToArray();
        var offset = 0;
        Q13762Message? found = null;
        var skipped = 0;
        while (offset < stream.Length && found is null)
        {
            var status = Q13762Frame.TryParse(stream.AsSpan(offset), out var m, out var consumed, out var error);
            if (status == Q13762FrameStatus.Complete) found = m;
            else if (status == Q13762FrameStatus.Error) { offset++; skipped++; }
            else Assert.Fail($"incomplete at {offset}");
        }
        Assert.NotNull(found);
        Assert.Equal(garbage.Length, skipped);
    }

    [Fact]
    public void One_byte_at_a_time_yields_each_frame_once()
    {
        var stream = PlcHex.Bytes(PlcVectors.Afn13Up).Concat(PlcHex.Bytes(PlcVectors.Afn03F4Down)).ToArray();
        var buffer = new List<byte>();
        var frames = new List<Q13762Message>();
        foreach (var b in stream)
        {
            buffer.Add(b);
            var status = Q13762Frame.TryParse(buffer.ToArray(), out var m, out var consumed, out _);
            Assert.NotEqual(Q13762FrameStatus.Error, status);
            if (status == Q13762FrameStatus.Complete)
            {
                frames.Add(m!);
                buffer.RemoveRange(0, consumed);
            }
        }
        Assert.Equal([Q13762Afn.RouteForward, Q13762Afn.Query], frames.Select(f => f.Afn));
        Assert.Empty(buffer);
    }

    [Fact]
    public void Unknown_afn_parses_as_opaque_data()
    {
        var message = new Q13762Message
        {
            Control = Q13762Control.Create(true, true, Q13762CommMode.Broadband),
            Info = Q13762Info.Uplink(7, false),
            Afn = (Q13762Afn)0xF1,
            Fn = Q13762Fn.FromDataUnit(0x03, 0x00),
            Data = new byte[] { 1, 2, 3 },
        };
        var bytes = Q13762Frame.Encode(message);
        Assert.Equal(Q13762FrameStatus.Complete, Q13762Frame.TryParse(bytes, out var m, out _, out _));
        Assert.Equal((Q13762Afn)0xF1, m!.Afn);
        Assert.False(m.Fn.IsSingle);
        Assert.Equal("010203", PlcHex.Of(m.Data.Span));
    }

    [Fact]
    public void Relay_addresses_are_read_on_downlink_frames()
    {
        var message = new Q13762Message
        {
            Control = Q13762Control.Create(false, true, Q13762CommMode.NarrowbandCentralised),
            Info = Q13762Info.Downlink(9, hasAddress: true, relayLevel: 2),
            Source = PlcAddress.Parse(PlcVectors.MainNode),
            Relays = [PlcAddress.Parse("111111111111"), PlcAddress.Parse("222222222222")],
            Destination = PlcAddress.Parse(PlcVectors.Meter),
            Afn = Q13762Afn.RouteForward,
            Fn = Q13762Fn.F1,
        };
        var bytes = Q13762Frame.Encode(message);
        Assert.Equal(15 + 24, bytes.Length);
        Assert.Equal(Q13762FrameStatus.Complete, Q13762Frame.TryParse(bytes, out var m, out _, out _));
        Assert.Equal(message.Relays, m!.Relays);
        Assert.Equal(message.Destination, m.Destination);
    }
}
