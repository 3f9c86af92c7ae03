using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Modbus;

public class ModbusTcpFrameTests
{
    private const string Request = "00 01 00 00 00 06 01 04 00 00 00 02";
    private const string Reply = "00 01 00 00 00 07 01 04 04 43 66 33 33";
    private static readonly ModbusRequest ReadRequest = ModbusRequest.Read(1, ModbusFunction.ReadInputRegisters, 0, 2);

    [Fact]
    public void Request_is_the_verified_bytes()
    {
        Span<byte> pdu = stackalloc byte[5];
        ModbusPdu.WriteReadRequest(pdu, ModbusFunction.ReadInputRegisters, 0, 2);
        Span<byte> adu = stackalloc byte[ModbusTcpFrame.MaxAduLength];
        var length = ModbusTcpFrame.WriteRequest(adu, 1, 1, pdu);
        Assert.Equal(Hex.Of(Hex.Bytes(Request)), Hex.Of(adu[..length]));
    }

    [Fact]
    public void Reply_parses()
    {
        var reply = Hex.Bytes(Reply);
        Assert.Equal(FrameStatus.Complete, ModbusTcpFrame.TryParseResponse(reply, 1, ReadRequest, out var response, out var consumed, out var error));
        Assert.Equal(FrameError.None, error);
        Assert.Equal(reply.Length, consumed);
        Assert.Equal("43663333", Hex.Of(response.Data));
        Assert.Equal(230.2f, System.Buffers.Binary.BinaryPrimitives.ReadSingleBigEndian(response.Data));
    }

    [Fact]
    public void Every_strict_prefix_is_incomplete_and_consumes_nothing()
    {
        var reply = Hex.Bytes(Reply);
        for (var length = 0; length < reply.Length; length++)
        {
            Assert.Equal(FrameStatus.Incomplete, ModbusTcpFrame.TryParseResponse(reply.AsSpan(0, length), 1, ReadRequest, out _, out var consumed, out _));
            Assert.Equal(0, consumed);
        }
    }

    [Fact]
    public void Stale_transaction_is_an_error_with_a_known_frame_length()
    {
        var reply = Hex.Bytes(Reply);
        AssertError(reply, 2, ReadRequest, FrameError.WrongTransaction);
        Assert.Equal(FrameStatus.Complete, ModbusTcpFrame.TryGetFrameLength(reply, out var length, out _));
        Assert.Equal(13, length);
    }

    [Fact]
    public void Wrong_unit_is_an_error() =>
        AssertError(Hex.Bytes(Reply), 1, ModbusRequest.Read(2, ModbusFunction.ReadInputRegisters, 0, 2), FrameError.WrongUnit);

    [Fact]
    public void Nonzero_protocol_id_is_refused_from_the_fourth_byte() =>
        AssertError(Hex.Bytes("00 01 00 01"), 1, ReadRequest, FrameError.BadProtocolId);

    [Fact]
    public void Length_over_the_maximum_is_refused_before_buffering() =>
        AssertError(Hex.Bytes("00 01 00 00 00 FF"), 1, ReadRequest, FrameError.TooLong);

    [Fact]
    public void Mbap_length_disagreeing_with_the_pdu_is_bad_length()
    {
        AssertError(Hex.Bytes("00 01 00 00 00 06 01 04 04 43 66 33"), 1, ReadRequest, FrameError.BadLength);
        AssertError(Hex.Bytes("00 01 00 00 00 08 01 04 04 43 66 33 33 00"), 1, ReadRequest, FrameError.BadLength);
    }

    [Fact]
    public void Exception_reply_is_typed()
    {
        var reply = Hex.Bytes("00 01 00 00 00 03 01 84 02");
        Assert.Equal(FrameStatus.Complete, ModbusTcpFrame.TryParseResponse(reply, 1, ReadRequest, out var response, out var consumed, out _));
        Assert.Equal(9, consumed);
        Assert.True(response.IsException);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, response.ExceptionCode);
    }

    private static void AssertError(byte[] buffer, ushort transactionId, in ModbusRequest request, FrameError expected)
    {
        var status = ModbusTcpFrame.TryParseResponse(buffer, transactionId, request, out _, out var consumed, out var error);
        Assert.Equal(FrameStatus.Error, status);
        Assert.Equal(expected, error);
        Assert.Equal(0, consumed);
    }
}
