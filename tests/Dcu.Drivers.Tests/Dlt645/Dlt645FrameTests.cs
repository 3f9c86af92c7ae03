using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Tests.Modbus;
using static Dcu.Drivers.Tests.Dlt645.Dlt645Vectors;

namespace Dcu.Drivers.Tests.Dlt645;

public class Dlt645FrameTests
{
    private static readonly Dlt645Address Address = Dlt645Address.Parse(Meter);

    public static TheoryData<string> Frames => All();

    private static string H(string spaced) => spaced.Replace(" ", "", StringComparison.Ordinal);

    [Fact]
    public void Requests_are_the_verified_bytes()
    {
        Assert.Equal(H(ReadForwardActive), Hex.Of(Dlt645Frame.ReadData(Address, Dlt645DataId.ForwardActiveEnergyTotal, preambleLength: 4)));
        Assert.Equal(H(ReadVoltageA), Hex.Of(Dlt645Frame.ReadData(Address, Dlt645DataId.VoltageA)));
        Assert.Equal(H(ReadAddress), Hex.Of(Dlt645Frame.ReadAddress()));
        Assert.Equal(H(BroadcastTime), Hex.Of(Dlt645Frame.BroadcastTime(new DateTime(2024, 5, 17, 13, 45, 30))));
    }

    [Fact]
    public void Replies_are_the_verified_bytes_when_written()
    {
        Assert.Equal(H(ReplyForwardActive), Hex.Of(Dlt645Frame.Build(Address, 0x91, Hex.Bytes("00000100 56341200"))));
        Assert.Equal(H(ReplyVoltageA), Hex.Of(Dlt645Frame.Build(Address, 0x91, Hex.Bytes("00010102 0122"))));
        Assert.Equal(H(ReplyCurrentA), Hex.Of(Dlt645Frame.Build(Address, 0x91, Hex.Bytes("00010202 235100"))));
        Assert.Equal(H(ReplyActivePower), Hex.Of(Dlt645Frame.Build(Address, 0x91, Hex.Bytes("00000302 452301"))));
        Assert.Equal(H(ReplyNoData), Hex.Of(Dlt645Frame.Build(Address, 0xD1, [0x02])));
        Assert.Equal(H(ReplyAddress), Hex.Of(Dlt645Frame.Build(Address, 0x93, Hex.Bytes("129078563412"))));
    }

    [Theory]
    [InlineData(ReplyForwardActive, Dlt645DataId.ForwardActiveEnergyTotal, 4, 2, false, "1234.56")]
    [InlineData(ReplyVoltageA, Dlt645DataId.VoltageA, 2, 1, false, "220.1")]
    [InlineData(ReplyCurrentA, Dlt645DataId.CurrentA, 3, 3, true, "5.123")]
    [InlineData(ReplyActivePower, Dlt645DataId.ActivePowerTotal, 3, 4, true, "1.2345")]
    public void Read_replies_parse_to_the_verified_values(string frame, Dlt645DataId di, int length, int decimals, bool signed, string expected)
    {
        var bytes = Hex.Bytes(frame);
        var status = Dlt645Frame.TryParseReply(bytes, Dlt645Request.Read(Address, di), out var reply, out var consumed, out var error);
        Assert.Equal(Dlt645FrameStatus.Complete, status);
        Assert.Equal(Dlt645FrameError.None, error);
        Assert.Equal(bytes.Length, consumed);
        Assert.NotNull(reply);
        Assert.Equal(di, reply.DataId);
        Assert.Equal(length, reply.Data.Length);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Bcd.Decode(reply.Data, decimals, signed));
    }

    [Fact]
    public void Error_reply_decodes_the_error_word()
    {
        var status = Dlt645Frame.TryParseReply(Hex.Bytes(ReplyNoData), Dlt645Request.Read(Address, Dlt645DataId.VoltageB), out var reply, out _, out _);
        Assert.Equal(Dlt645FrameStatus.Complete, status);
        Assert.True(reply!.IsAbnormal);
        Assert.Equal(Dlt645ErrorWord.NoRequestedData, reply.ErrorWord);
        Assert.Equal("dlt645_no_data", reply.ErrorWord.ToReason());
    }

    [Theory]
    [InlineData(0x01, "dlt645_other")]
    [InlineData(0x04, "dlt645_unauthorized")]
    [InlineData(0x06, "dlt645_no_data")]
    [InlineData(0x08, "dlt645_baud_unchangeable")]
    [InlineData(0x10, "dlt645_too_many_year_zones")]
    [InlineData(0x20, "dlt645_too_many_day_periods")]
    [InlineData(0x40, "dlt645_too_many_tariffs")]
    [InlineData(0x00, "dlt645_error")]
    public void Error_words_map_to_stable_reasons(byte word, string reason) => Assert.Equal(reason, ((Dlt645ErrorWord)word).ToReason());

    [Fact]
    public void Address_reply_parses()
    {
        var status = Dlt645Frame.TryParseReply(Hex.Bytes(ReplyAddress), Dlt645Request.ReadAddress(), out var reply, out _, out _);
        Assert.Equal(Dlt645FrameStatus.Complete, status);
        Assert.Equal(Address, reply!.Address);
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Every_frame_reads_as_one_whole_frame_and_every_prefix_is_incomplete(string frame)
    {
        var bytes = Hex.Bytes(frame);
        Assert.Equal(Dlt645FrameStatus.Complete, Dlt645Frame.TryRead(bytes, out _, out var consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        for (var n = 0; n < bytes.Length; n++)
        {
            var status = Dlt645Frame.TryRead(bytes.AsSpan(0, n), out _, out consumed, out var error);
            Assert.True(status == Dlt645FrameStatus.Incomplete, $"prefix of {n} bytes: {status} {error}");
            Assert.Equal(0, consumed);
        }
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void One_byte_at_a_time_completes_exactly_at_the_last_byte(string frame)
    {
        var bytes = Hex.Bytes(frame);
        var buffer = new List<byte>();
        for (var i = 0; i < bytes.Length; i++)
        {
            buffer.Add(bytes[i]);
            var status = Dlt645Frame.TryRead(buffer.ToArray(), out _, out var consumed, out _);
            Assert.Equal(i == bytes.Length - 1 ? Dlt645FrameStatus.Complete : Dlt645FrameStatus.Incomplete, status);
            if (status == Dlt645FrameStatus.Complete) Assert.Equal(bytes.Length, consumed);
        }
    }

    [Fact]
    public void Wake_up_bytes_belong_to_the_frame()
    {
        var bytes = Hex.Bytes("FE FE " + ReplyVoltageA);
        Assert.Equal(Dlt645FrameStatus.Complete, Dlt645Frame.TryRead(bytes, out var frame, out var consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(2, frame.PreambleLength);
        Assert.Equal(Dlt645FrameStatus.Incomplete, Dlt645Frame.TryRead(Hex.Bytes("FE FE FE"), out _, out _, out _));
    }

    [Fact]
    public void Garbage_is_an_error_that_consumes_nothing_and_FindStart_skips_to_the_next_candidate()
    {
        var bytes = Hex.Bytes("00 13 37 " + ReplyVoltageA);
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryRead(bytes, out _, out var consumed, out var error));
        Assert.Equal(Dlt645FrameError.NoStart, error);
        Assert.Equal(0, consumed);
        Assert.Equal(3, Dlt645Frame.FindStart(bytes));
        Assert.Equal(Dlt645FrameStatus.Complete, Dlt645Frame.TryRead(bytes.AsSpan(3), out _, out _, out _));
    }

    [Fact]
    public void A_68_inside_noise_fails_on_its_header_and_the_real_frame_is_found_after_it()
    {
        // 68 followed by non-BCD "address" bytes: BadAddress at once, not a long wait.
        var bytes = Hex.Bytes("68 FF " + ReplyVoltageA);
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryRead(bytes, out _, out _, out var error));
        Assert.Equal(Dlt645FrameError.BadAddress, error);
        var skip = 1 + Dlt645Frame.FindStart(bytes.AsSpan(1));
        Assert.Equal(2, skip);
        // Missing second 68.
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryRead(Hex.Bytes("68 12 90 78 56 34 12 69 91"), out _, out _, out error));
        Assert.Equal(Dlt645FrameError.BadHeader, error);
    }

    [Fact]
    public void Bad_checksum_and_bad_end_are_errors_once_the_frame_is_whole()
    {
        var bad = Hex.Bytes(ReplyVoltageA);
        bad[^2] ^= 0x01;
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryRead(bad, out _, out var consumed, out var error));
        Assert.Equal(Dlt645FrameError.BadChecksum, error);
        Assert.Equal(0, consumed);
        Assert.Equal(Dlt645FrameStatus.Incomplete, Dlt645Frame.TryRead(bad.AsSpan(0, bad.Length - 1), out _, out _, out _));

        var noEnd = Hex.Bytes(ReplyVoltageA);
        noEnd[^1] = 0x17;
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryRead(noEnd, out _, out _, out error));
        Assert.Equal(Dlt645FrameError.BadEnd, error);
    }

    [Fact]
    public void Length_is_capped_before_buffering()
    {
        var header = Hex.Bytes("68 12 90 78 56 34 12 68 91 C9"); // L = 201
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryRead(header, out _, out _, out var error));
        Assert.Equal(Dlt645FrameError.TooLong, error);
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryRead(Hex.Bytes("68 12 90 78 56 34 12 68 91 10"), out _, out _, out error, maxDataLength: 8));
    }

    [Fact]
    public void Replies_are_checked_against_their_request()
    {
        var other = Dlt645Address.Parse("000000000001");
        Assert.Equal(Dlt645FrameError.WrongAddress, ErrorOf(ReplyVoltageA, Dlt645Request.Read(other, Dlt645DataId.VoltageA)));
        Assert.Equal(Dlt645FrameError.MismatchedIdentifier, ErrorOf(ReplyVoltageA, Dlt645Request.Read(Address, Dlt645DataId.VoltageB)));
        Assert.Equal(Dlt645FrameError.WrongFunction, ErrorOf(ReplyVoltageA, Dlt645Request.Control(Address)));
        Assert.Equal(Dlt645FrameError.NotAReply, ErrorOf(ReadVoltageA, Dlt645Request.Read(Address, Dlt645DataId.VoltageA)));
        Assert.Equal(Dlt645FrameError.BadLength, ErrorOf(Hex.Of(Dlt645Frame.Build(Address, 0x91, [0x00, 0x01])), Dlt645Request.Read(Address, Dlt645DataId.VoltageA)));
        Assert.Equal(Dlt645FrameError.None, ErrorOf(ReplyVoltageA, Dlt645Request.Read(Dlt645Address.Wildcard, Dlt645DataId.VoltageA)));
    }

    [Fact]
    public void Follow_up_request_and_reply_carry_the_sequence()
    {
        var request = Dlt645Frame.ReadFollowUp(Address, Dlt645DataId.ForwardActiveEnergyBlock, 1);
        Assert.Equal("68129078563412681205" + "33323433" + "34" + Hex.Of([Dlt645Frame.Checksum(request.AsSpan(0, request.Length - 2))]) + "16", Hex.Of(request));
        var reply = Dlt645Frame.Build(Address, 0x92, Hex.Bytes("00FF0100 11111111 01"));
        Assert.Equal(Dlt645FrameStatus.Complete, Dlt645Frame.TryParseReply(reply, Dlt645Request.ReadFollowUp(Address, Dlt645DataId.ForwardActiveEnergyBlock, 1), out var parsed, out _, out _));
        Assert.Equal(4, parsed!.Data.Length);
        Assert.Equal((byte)1, parsed.Sequence);
        Assert.Equal(Dlt645FrameError.MismatchedIdentifier, ErrorOf(Hex.Of(reply), Dlt645Request.ReadFollowUp(Address, Dlt645DataId.ForwardActiveEnergyBlock, 2)));
    }

    [Fact]
    public void Relay_control_has_the_verified_layout()
    {
        var frame = Dlt645Frame.RelayControl(Address, Dlt645RelayCommand.Trip, new Dlt645Password(2, 0x123456), 0x11223344, new DateTime(2024, 5, 17, 13, 45, 30));
        Assert.Equal(Dlt645FrameStatus.Complete, Dlt645Frame.TryRead(frame, out var view, out _, out _));
        Assert.Equal(0x1C, view.Control);
        Assert.Equal("02563412" + "44332211" + "1A00" + "304513170524", Hex.Of(view.DecodeData()));
    }

    [Fact]
    public void Fuzz_never_throws_and_never_consumes_on_error()
    {
        var random = new Random(2007);
        var valid = Hex.Bytes(ReplyForwardActive);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = random.Next(3) == 0 ? new byte[random.Next(0, 40)] : (byte[])valid.Clone();
            if (bytes.Length == valid.Length) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            else random.NextBytes(bytes);
            var status = Dlt645Frame.TryParseReply(bytes, Dlt645Request.Read(Address, Dlt645DataId.ForwardActiveEnergyTotal), out _, out var consumed, out _);
            if (status != Dlt645FrameStatus.Complete) Assert.Equal(0, consumed);
            else Assert.InRange(consumed, 12, bytes.Length);
        }
    }

    private static Dlt645FrameError ErrorOf(string frame, Dlt645Request request)
    {
        var status = Dlt645Frame.TryParseReply(Hex.Bytes(frame), request, out _, out var consumed, out var error);
        if (status == Dlt645FrameStatus.Error) Assert.Equal(0, consumed);
        return error;
    }
}
