using System.Buffers;
using System.Text;
using Dcu.Host.Technician;

namespace Dcu.Host.Tests.Technician;

public sealed class ConsoleLineReaderTests
{
    /// <summary>Feeds <paramref name="input"/> one byte at a time, as a UART delivers it; returns the lines and the echo.</summary>
    private static (List<ConsoleLine> Lines, string Echo) OneByteAtATime(ConsoleLineReader reader, string input)
    {
        var echo = new ArrayBufferWriter<byte>();
        var lines = new List<ConsoleLine>();
        foreach (var b in Encoding.UTF8.GetBytes(input))
        {
            Assert.Equal(1, reader.Feed([b], echo, out var line));
            if (line is { } l) lines.Add(l);
        }
        return (lines, Encoding.UTF8.GetString(echo.WrittenSpan));
    }

    /// <summary>Feeds it in one piece, taking the lines one by one as the session does.</summary>
    private static List<ConsoleLine> AllAtOnce(ConsoleLineReader reader, string input)
    {
        var echo = new ArrayBufferWriter<byte>();
        var lines = new List<ConsoleLine>();
        ReadOnlySpan<byte> rest = Encoding.UTF8.GetBytes(input);
        while (rest.Length > 0)
        {
            var used = reader.Feed(rest, echo, out var line);
            Assert.InRange(used, 1, rest.Length);
            rest = rest[used..];
            if (line is { } l) lines.Add(l);
        }
        return lines;
    }

    [Theory]
    [InlineData("status\r\nmeters\r\n")]
    [InlineData("status\rmeters\r")]
    [InlineData("status\nmeters\n")]
    [InlineData("status\r\nmeters\n")]
    public void CR_LF_and_CR_LF_each_end_one_line(string input)
    {
        var (lines, _) = OneByteAtATime(new ConsoleLineReader(), input);
        Assert.Equal(["status", "meters"], lines.Select(l => l.Text));
        Assert.Equal(["status", "meters"], AllAtOnce(new ConsoleLineReader(), input).Select(l => l.Text));
    }

    [Fact]
    public void An_empty_line_between_two_line_ends_is_kept_but_the_LF_of_CR_LF_is_not_a_second_line()
    {
        var (lines, _) = OneByteAtATime(new ConsoleLineReader(), "a\r\n\r\nb\n\nc\r\r");
        Assert.Equal(["a", "", "b", "", "c", ""], lines.Select(l => l.Text));
    }

    [Fact]
    public void A_line_end_stops_the_feed_so_the_rest_is_read_after_the_caller_acts()
    {
        var reader = new ConsoleLineReader();
        var echo = new ArrayBufferWriter<byte>();
        var used = reader.Feed("ab\r\ncd"u8, echo, out var line);
        Assert.Equal(3, used);
        Assert.Equal("ab", line!.Value.Text);
        Assert.Equal(3, reader.Feed("\ncd"u8, echo, out line));
        Assert.Null(line);
        Assert.Equal(2, reader.PendingLength);
    }

    [Fact]
    public void Backspace_and_DEL_take_back_a_character_and_rub_it_out_on_the_terminal()
    {
        var reader = new ConsoleLineReader { Echo = true };
        var (lines, echo) = OneByteAtATime(reader, "metx\bers\x7f\x7frs\r");
        Assert.Equal("meters", Assert.Single(lines).Text);
        Assert.Equal("metx\b \bers\b \b\b \brs\r\n", echo);
    }

    [Fact]
    public void Backspace_on_an_empty_line_does_nothing_and_takes_back_a_whole_UTF8_character()
    {
        var reader = new ConsoleLineReader { Echo = true };
        var (lines, echo) = OneByteAtATime(reader, "\b\x7fé€\b\bx\r");
        Assert.Equal("x", Assert.Single(lines).Text);
        Assert.Equal("é€\b \b\b \bx\r\n", echo);
    }

    [Fact]
    public void Arrow_keys_and_other_control_characters_are_ignored()
    {
        var (lines, _) = OneByteAtATime(new ConsoleLineReader(), "st\x1b[Aa\x1bOBt\x01\x1b[1;5Cus\r");
        Assert.Equal("status", Assert.Single(lines).Text);
    }

    [Fact]
    public void A_line_over_the_bound_is_discarded_whole_and_the_next_line_reads_normally()
    {
        var reader = new ConsoleLineReader(maxLength: 8) { Echo = true };
        var (lines, echo) = OneByteAtATime(reader, "123456789012\b\b\rok\r");
        Assert.Equal(2, lines.Count);
        Assert.True(lines[0].TooLong);
        Assert.Equal("", lines[0].Text);
        Assert.Equal(new ConsoleLine("ok", false), lines[1]);
        Assert.Equal("12345678\a\r\nok\r\n", echo); // one bell at the bound, nothing echoed beyond it
    }

    [Fact]
    public void The_default_bound_is_256_characters()
    {
        var (lines, _) = OneByteAtATime(new ConsoleLineReader(), new string('x', 256) + "\r" + new string('x', 257) + "\r");
        Assert.False(lines[0].TooLong);
        Assert.Equal(256, lines[0].Text.Length);
        Assert.True(lines[1].TooLong);
    }

    [Fact]
    public void A_secret_line_echoes_nothing_but_its_end_and_the_next_line_echoes_again()
    {
        var reader = new ConsoleLineReader { Echo = true };
        var echo = new ArrayBufferWriter<byte>();
        ReadOnlySpan<byte> input = "technician\rs3cret\b!\rhelp\r"u8;

        var used = reader.Feed(input, echo, out var user);
        reader.Secret = true;
        input = input[used..];
        used = reader.Feed(input, echo, out var password);
        reader.Secret = false;
        reader.Feed(input[used..], echo, out var command);

        Assert.Equal("technician", user!.Value.Text);
        Assert.Equal("s3cre!", password!.Value.Text);
        Assert.Equal("help", command!.Value.Text);
        Assert.Equal("technician\r\n\r\nhelp\r\n", Encoding.UTF8.GetString(echo.WrittenSpan));
    }

    [Fact]
    public void Without_echo_nothing_is_written()
    {
        var (lines, echo) = OneByteAtATime(new ConsoleLineReader { Echo = false }, "ab\bc\r");
        Assert.Equal("ac", Assert.Single(lines).Text);
        Assert.Equal("", echo);
    }
}
