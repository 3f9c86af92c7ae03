using System.Text;
using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>V.250 5.7.1 line framing: peek then commit, capped, bad bytes a typed error that drops only their line.</summary>
public sealed class AtLineFramerTests
{
    [Fact]
    public void A_framed_line_is_read_with_its_leading_and_trailing_terminators()
    {
        var input = AtWire.Bytes("\r\n+CSQ: 17,99\r\n\r\nOK\r\n");
        Assert.Equal(AtFrameStatus.Line, AtLineFramer.TryRead(input, out var range, out var consumed, out var error));
        Assert.Equal("+CSQ: 17,99", Encoding.ASCII.GetString(input.AsSpan(range)));
        Assert.Equal(AtFormatError.None, error);
        Assert.Equal(14, consumed); // CR LF text CR; the LF begins the next read

        Assert.Equal(AtFrameStatus.Line, AtLineFramer.TryRead(input.AsSpan(consumed), out range, out var second, out _));
        Assert.Equal("OK", Encoding.ASCII.GetString(input.AsSpan(consumed)[range]));
        Assert.Equal(input.Length - 1, consumed + second);
    }

    [Fact]
    public void Every_prefix_without_a_terminator_after_text_is_incomplete_and_consumes_nothing()
    {
        var input = AtWire.Bytes("\r\n+CREG: 0,1\r\n");
        var firstLineEnd = "\r\n+CREG: 0,1".Length;
        for (var n = 0; n <= firstLineEnd; n++)
        {
            Assert.Equal(AtFrameStatus.Incomplete, AtLineFramer.TryRead(input.AsSpan(0, n), out _, out var consumed, out var error));
            Assert.Equal(0, consumed);
            Assert.Equal(AtFormatError.None, error);
        }
        Assert.Equal(AtFrameStatus.Line, AtLineFramer.TryRead(input.AsSpan(0, firstLineEnd + 1), out _, out _, out _));
    }

    [Fact]
    public void The_echo_ends_with_cr_alone_and_is_a_line()
    {
        var input = AtWire.Bytes("AT+CSQ\r\r\n+CSQ: 5,99\r\n");
        Assert.Equal(AtFrameStatus.Line, AtLineFramer.TryRead(input, out var range, out var consumed, out _));
        Assert.Equal("AT+CSQ", Encoding.ASCII.GetString(input.AsSpan(range)));
        Assert.Equal(7, consumed);
    }

    [Theory]
    [InlineData(new byte[] { 0x2B, 0x43, 0x00, 0x51, 0x0D, 0x0A }, AtFormatError.NulByte)]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x41, 0x0D }, AtFormatError.NotText)]
    [InlineData(new byte[] { 0x4F, 0x13, 0x4B, 0x0D, 0x0A }, AtFormatError.NotText)]
    [InlineData(new byte[] { 0x80, 0x0D, 0x0A }, AtFormatError.NotText)]
    public void Bad_bytes_are_a_typed_error_that_drops_their_line_only(byte[] input, AtFormatError expected)
    {
        byte[] bytes = [.. input, .. AtWire.Bytes("OK\r\n")];
        Assert.Equal(AtFrameStatus.Error, AtLineFramer.TryRead(bytes, out _, out var consumed, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(Array.IndexOf(bytes, (byte)0x0D) + 1, consumed);
        Assert.Equal(AtFrameStatus.Line, AtLineFramer.TryRead(bytes.AsSpan(consumed), out var range, out _, out _));
        Assert.Equal("OK", Encoding.ASCII.GetString(bytes.AsSpan(consumed)[range]));
    }

    [Fact]
    public void A_line_over_the_cap_is_refused_before_its_end_arrives()
    {
        var atCap = AtWire.Bytes(new string('A', AtLineFramer.MaxLineLength));
        Assert.Equal(AtFrameStatus.Incomplete, AtLineFramer.TryRead(atCap, out _, out _, out _));

        var over = AtWire.Bytes(new string('A', AtLineFramer.MaxLineLength + 1));
        Assert.Equal(AtFrameStatus.Error, AtLineFramer.TryRead(over, out _, out var consumed, out var error));
        Assert.Equal(AtFormatError.LineTooLong, error);
        Assert.Equal(over.Length, consumed);
        Assert.Equal(-1, AtLineFramer.TerminatorEnd(over));

        var overWithEnd = AtWire.Bytes(new string('A', AtLineFramer.MaxLineLength + 1) + "\r\nOK\r\n");
        Assert.Equal(AtFrameStatus.Error, AtLineFramer.TryRead(overWithEnd, out _, out consumed, out error));
        Assert.Equal(AtFormatError.LineTooLong, error);
        Assert.Equal(AtLineFramer.MaxLineLength + 2, consumed);
    }

    [Fact]
    public void Random_bytes_never_throw_and_always_make_progress_or_wait()
    {
        var random = new Random(27007);
        for (var round = 0; round < 2000; round++)
        {
            var input = new byte[random.Next(0, 700)];
            random.NextBytes(input);
            var rest = input.AsSpan();
            while (true)
            {
                var status = AtLineFramer.TryRead(rest, out var range, out var consumed, out var error);
                if (status == AtFrameStatus.Incomplete) { Assert.Equal(0, consumed); break; }
                Assert.InRange(consumed, 1, rest.Length);
                if (status == AtFrameStatus.Line) Assert.True(range.GetOffsetAndLength(rest.Length).Length > 0);
                else Assert.NotEqual(AtFormatError.None, error);
                rest = rest[consumed..];
            }
        }
    }
}
