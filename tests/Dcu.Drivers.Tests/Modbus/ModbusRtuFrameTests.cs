using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Modbus;

public class ModbusRtuFrameTests
{
    public static TheoryData<string> Cases => ModbusVectors.RtuCases();

    [Fact]
    public void Read_requests_are_the_verified_bytes()
    {
        Assert.Equal("01040000000271CB", WriteRead(1, ModbusFunction.ReadInputRegisters, 0x0000, 2));
        Assert.Equal("010400480002F1DD", WriteRead(1, ModbusFunction.ReadInputRegisters, 0x0048, 2));
        Assert.Equal("1103006B00037687", WriteRead(0x11, ModbusFunction.ReadHoldingRegisters, 0x006B, 3));
    }

    [Fact]
    public void Write_single_request_is_the_verified_bytes()
    {
        Span<byte> pdu = stackalloc byte[5];
        ModbusPdu.WriteSingleRegisterRequest(pdu, 0x0001, 0x0003);
        Span<byte> adu = stackalloc byte[ModbusRtuFrame.MaxAduLength];
        var length = ModbusRtuFrame.WriteRequest(adu, 1, pdu);
        Assert.Equal("010600010003980B", Hex.Of(adu[..length]));
    }

    [Fact]
    public void Write_multiple_request_is_the_verified_bytes()
    {
        Span<byte> pdu = stackalloc byte[ModbusPdu.MaxLength];
        var pduLength = ModbusPdu.WriteMultipleRegistersRequest(pdu, 0x0001, [0x000A, 0x0102]);
        Span<byte> adu = stackalloc byte[ModbusRtuFrame.MaxAduLength];
        var length = ModbusRtuFrame.WriteRequest(adu, 1, pdu[..pduLength]);
        Assert.Equal(Hex.Of(Hex.Bytes("01 10 00 01 00 02 04 00 0A 01 02 92 30")), Hex.Of(adu[..length]));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verified_reply_parses(string name)
    {
        var c = ModbusVectors.Rtu[name];
        var reply = Hex.Bytes(c.ReplyHex);
        var status = ModbusRtuFrame.TryParseResponse(reply, c.Request, out var response, out var consumed, out var error);
        Assert.Equal(FrameStatus.Complete, status);
        Assert.Equal(FrameError.None, error);
        Assert.Equal(reply.Length, consumed);
        Assert.Equal(c.Request.Unit, response.Unit);
        Assert.Equal(c.Request.Function, response.Function);
        Assert.Equal(c.Exception is not null, response.IsException);
        if (c.Exception is { } code)
        {
            Assert.Equal(code, response.ExceptionCode);
        }
        else
        {
            Assert.Equal(Hex.Of(Hex.Bytes(c.DataHex!)), Hex.Of(response.Data));
        }
    }

    [Fact]
    public void Float_replies_decode_to_the_documented_values()
    {
        Assert.Equal(230.2f, ReadFloat("fc04_0000_x2"));
        Assert.Equal(1234.5f, ReadFloat("fc04_0048_x2"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_strict_prefix_is_incomplete_and_consumes_nothing(string name)
    {
        var c = ModbusVectors.Rtu[name];
        var reply = Hex.Bytes(c.ReplyHex);
        for (var length = 0; length < reply.Length; length++)
        {
            var status = ModbusRtuFrame.TryParseResponse(reply.AsSpan(0, length), c.Request, out _, out var consumed, out var error);
            Assert.Equal(FrameStatus.Incomplete, status);
            Assert.Equal(0, consumed);
            Assert.Equal(FrameError.None, error);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Feeding_one_byte_at_a_time_completes_on_the_last_byte(string name)
    {
        var c = ModbusVectors.Rtu[name];
        var reply = Hex.Bytes(c.ReplyHex);
        var buffer = new List<byte>();
        var completedAt = -1;
        foreach (var b in reply)
        {
            buffer.Add(b);
            var status = ModbusRtuFrame.TryParseResponse(buffer.ToArray(), c.Request, out _, out var consumed, out _);
            if (status == FrameStatus.Complete)
            {
                completedAt = buffer.Count;
                Assert.Equal(reply.Length, consumed);
                break;
            }

            Assert.Equal(FrameStatus.Incomplete, status);
        }

        Assert.Equal(reply.Length, completedAt);
    }

    [Fact]
    public void Expected_length_is_known_from_the_first_bytes()
    {
        var request = ModbusVectors.Rtu["fc03_unit11_006B_x3"].Request;
        Assert.Equal(FrameStatus.Incomplete, ModbusRtuFrame.TryGetResponseLength(Hex.Bytes("11 03"), request, out _, out _));
        Assert.Equal(FrameStatus.Complete, ModbusRtuFrame.TryGetResponseLength(Hex.Bytes("11 03 06"), request, out var length, out _));
        Assert.Equal(11, length);
        Assert.Equal(FrameStatus.Complete, ModbusRtuFrame.TryGetResponseLength(Hex.Bytes("11 83"), request, out length, out _));
        Assert.Equal(5, length);
        var write = ModbusVectors.Rtu["fc16"].Request;
        Assert.Equal(FrameStatus.Complete, ModbusRtuFrame.TryGetResponseLength(Hex.Bytes("01 10"), write, out length, out _));
        Assert.Equal(8, length);
    }

    [Fact]
    public void Bad_crc_is_an_error_and_consumes_nothing()
    {
        var c = ModbusVectors.Rtu["fc04_0000_x2"];
        var reply = Hex.Bytes(c.ReplyHex);
        reply[^1] ^= 0xFF;
        AssertError(reply, c.Request, FrameError.BadCrc);
    }

    [Fact]
    public void Corrupted_data_is_a_bad_crc()
    {
        var c = ModbusVectors.Rtu["fc04_0000_x2"];
        var reply = Hex.Bytes(c.ReplyHex);
        reply[4] ^= 0x10;
        AssertError(reply, c.Request, FrameError.BadCrc);
    }

    [Fact]
    public void Wrong_unit_is_an_error_from_the_first_byte()
    {
        var request = ModbusRequest.Read(2, ModbusFunction.ReadInputRegisters, 0, 2);
        AssertError(Hex.Bytes("01"), request, FrameError.WrongUnit);
        AssertError(Hex.Bytes("01 04 04 43 66 33 33 5A FA"), request, FrameError.WrongUnit);
    }

    [Fact]
    public void Wrong_function_is_an_error_from_the_second_byte()
    {
        var request = ModbusRequest.Read(1, ModbusFunction.ReadHoldingRegisters, 0, 2);
        AssertError(Hex.Bytes("01 04"), request, FrameError.WrongFunction);
        AssertError(Hex.Bytes("01 84 02 C2 C1"), request, FrameError.WrongFunction);
    }

    [Fact]
    public void Byte_count_over_the_adu_maximum_is_refused_before_buffering()
    {
        var request = ModbusRequest.Read(1, ModbusFunction.ReadHoldingRegisters, 0, 125);
        AssertError(Hex.Bytes("01 03 FF"), request, FrameError.TooLong);
        AssertError(Hex.Bytes("01 03 FC"), request, FrameError.TooLong);
    }

    [Fact]
    public void Byte_count_not_matching_the_quantity_is_bad_length()
    {
        var request = ModbusRequest.Read(1, ModbusFunction.ReadInputRegisters, 0, 2);
        AssertError(Hex.Bytes("01 04 06"), request, FrameError.BadLength);
    }

    [Fact]
    public void Write_single_reply_with_another_value_is_a_mismatched_echo()
    {
        var request = ModbusRequest.WriteSingle(1, 0x0001, 0x0004);
        AssertError(Hex.Bytes("01 06 00 01 00 03 98 0B"), request, FrameError.MismatchedEcho);
    }

    [Fact]
    public void Write_multiple_reply_with_another_quantity_is_a_mismatched_echo()
    {
        var request = ModbusRequest.WriteMultiple(1, 0x0001, 3);
        AssertError(Hex.Bytes("01 10 00 01 00 02 10 08"), request, FrameError.MismatchedEcho);
    }

    [Fact]
    public void Garbage_before_a_frame_is_an_error_and_a_plausible_start_is_found()
    {
        var c = ModbusVectors.Rtu["fc04_0000_x2"];
        var buffer = Hex.Bytes("00 FF 13 01 55 01 04 04 43 66 33 33 5A FA");
        AssertError(buffer, c.Request, FrameError.WrongUnit);
        var start = 0;
        while (ModbusRtuFrame.TryParseResponse(buffer.AsSpan(start), c.Request, out _, out _, out _) == FrameStatus.Error)
        {
            start += 1 + ModbusRtuFrame.FindPlausibleStart(buffer.AsSpan(start + 1), c.Request);
        }

        Assert.Equal(5, start);
        Assert.Equal(FrameStatus.Complete, ModbusRtuFrame.TryParseResponse(buffer.AsSpan(start), c.Request, out var response, out var consumed, out _));
        Assert.Equal(9, consumed);
        Assert.Equal("43663333", Hex.Of(response.Data));
    }

    [Fact]
    public void Trailing_bytes_are_not_consumed()
    {
        var c = ModbusVectors.Rtu["fc06"];
        var buffer = Hex.Bytes(c.ReplyHex + " 00 00");
        Assert.Equal(FrameStatus.Complete, ModbusRtuFrame.TryParseResponse(buffer, c.Request, out _, out var consumed, out _));
        Assert.Equal(8, consumed);
    }

    [Fact]
    public void Unknown_exception_code_is_kept_raw()
    {
        var frame = RtuAdu.Of(1, 0x83, 0x42);
        var request = ModbusRequest.Read(1, ModbusFunction.ReadHoldingRegisters, 0, 1);
        Assert.Equal(FrameStatus.Complete, ModbusRtuFrame.TryParseResponse(frame, request, out var response, out _, out _));
        Assert.True(response.IsException);
        Assert.Equal(0x42, (byte)response.ExceptionCode);
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_consume_on_error()
    {
        var random = new Random(1234);
        var request = ModbusRequest.Read(1, ModbusFunction.ReadHoldingRegisters, 0, 2);
        var buffer = new byte[300];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (length > 0 && random.Next(2) == 0)
            {
                buffer[0] = 1;
            }

            var status = ModbusRtuFrame.TryParseResponse(buffer.AsSpan(0, length), request, out _, out var consumed, out _);
            Assert.True(status == FrameStatus.Complete ? consumed is 5 or 9 : consumed == 0);
        }
    }

    private static void AssertError(byte[] buffer, in ModbusRequest request, FrameError expected)
    {
        var status = ModbusRtuFrame.TryParseResponse(buffer, request, out _, out var consumed, out var error);
        Assert.Equal(FrameStatus.Error, status);
        Assert.Equal(expected, error);
        Assert.Equal(0, consumed);
    }

    private static string WriteRead(byte unit, ModbusFunction function, ushort start, ushort count)
    {
        Span<byte> pdu = stackalloc byte[5];
        ModbusPdu.WriteReadRequest(pdu, function, start, count);
        Span<byte> adu = stackalloc byte[ModbusRtuFrame.MaxAduLength];
        var length = ModbusRtuFrame.WriteRequest(adu, unit, pdu);
        return Hex.Of(adu[..length]);
    }

    private static float ReadFloat(string name)
    {
        var c = ModbusVectors.Rtu[name];
        ModbusRtuFrame.TryParseResponse(Hex.Bytes(c.ReplyHex), c.Request, out var response, out _, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadSingleBigEndian(response.Data);
    }
}
