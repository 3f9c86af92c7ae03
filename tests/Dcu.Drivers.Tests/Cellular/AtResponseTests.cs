using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>Whole answers as TS 27.007 and real modem logs show them, through framer and assembler.</summary>
public sealed class AtResponseTests
{
    [Fact]
    public void Csq_answer_without_echo()
    {
        var wire = AtWire.Run("AT+CSQ", "\r\n+CSQ: 17,99\r\n\r\nOK\r\n");
        var response = Assert.IsType<AtResponse>(wire.Response);
        Assert.True(response.IsOk);
        Assert.Equal(["+CSQ: 17,99"], response.Lines);
        Assert.True(SignalQuality.TryParse(response.Find("+CSQ")!, out var q, out _));
        Assert.Equal(-79, q.Dbm);
    }

    [Fact]
    public void The_echo_of_the_command_line_is_recognised_and_dropped()
    {
        var wire = AtWire.Run("AT+CSQ", "AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n");
        Assert.Equal(AtLineKind.Echo, wire.Lines[0].Kind);
        Assert.Equal(["+CSQ: 17,99"], wire.Response!.Lines);
    }

    [Fact]
    public void An_echo_of_a_basic_command_before_its_ok()
    {
        var wire = AtWire.Run("ATE0", "ATE0\r\r\nOK\r\n");
        Assert.True(wire.Response!.IsOk);
        Assert.Empty(wire.Response.Lines);
    }

    [Fact]
    public void A_urc_in_the_middle_of_an_answer_is_taken_out_of_it()
    {
        var wire = AtWire.Run("AT+CSQ", "\r\n+CSQ: 20,0\r\n\r\n+CEREG: 5\r\n\r\nRING\r\n\r\nOK\r\n");
        Assert.Equal(["+CSQ: 20,0"], wire.Response!.Lines);
        Assert.Equal(["+CEREG: 5", "RING"], wire.Urcs);
    }

    [Fact]
    public void The_answer_to_creg_read_is_information_not_a_urc()
    {
        var wire = AtWire.Run("AT+CREG?", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
        Assert.Equal(["+CREG: 0,1"], wire.Response!.Lines);
        Assert.Empty(wire.Urcs);
    }

    [Fact]
    public void Without_a_command_in_flight_urcs_are_urcs_and_anything_else_is_stray()
    {
        var wire = new AtWire();
        wire.Feed(AtWire.Bytes("\r\n+CREG: 1\r\n\r\nOK\r\n\r\n+CMTI: \"SM\",3\r\n"));
        Assert.Equal([AtLineKind.Unsolicited, AtLineKind.Stray, AtLineKind.Unsolicited], wire.Lines.Select(l => l.Kind));
    }

    [Theory]
    [InlineData("\r\nERROR\r\n", AtFinalResultKind.Error, null, null)]
    [InlineData("\r\n+CME ERROR: 10\r\n", AtFinalResultKind.CmeError, 10, "SIM not inserted")]
    [InlineData("\r\n+CME ERROR: 11\r\n", AtFinalResultKind.CmeError, 11, "SIM PIN required")]
    [InlineData("\r\n+CME ERROR: SIM not inserted\r\n", AtFinalResultKind.CmeError, 10, "SIM not inserted")]
    [InlineData("\r\n+CME ERROR: sim pin required\r\n", AtFinalResultKind.CmeError, 11, "sim pin required")]
    [InlineData("\r\n+CME ERROR: 3\r\n", AtFinalResultKind.CmeError, 3, "operation not allowed")]
    [InlineData("\r\n+CME ERROR: vendor says no\r\n", AtFinalResultKind.CmeError, null, "vendor says no")]
    [InlineData("\r\n+CMS ERROR: 310\r\n", AtFinalResultKind.CmsError, 310, null)]
    [InlineData("\r\n+CMS ERROR: SIM not inserted\r\n", AtFinalResultKind.CmsError, null, "SIM not inserted")]
    public void Error_result_codes_numeric_and_verbose(string bytes, AtFinalResultKind kind, int? code, string? text)
    {
        var final = AtWire.Run("AT+CPIN?", bytes).Response!.Final;
        Assert.Equal(kind, final.Kind);
        Assert.Equal(code, final.Code);
        Assert.Equal(text, final.Text);
        Assert.False(final.IsOk);
    }

    [Fact]
    public void Every_prefix_of_an_answer_gives_no_answer_and_one_byte_at_a_time_gives_the_same_answer()
    {
        const string bytes = "AT+COPS?\r\r\n+COPS: 0,0,\"Vodafone.de\",7\r\n\r\n+CREG: 1\r\n\r\nOK\r\n";
        for (var n = 0; n < bytes.Length - 1; n++)
            Assert.Null(AtWire.Run("AT+COPS?", bytes[..n]).Response);

        var wire = new AtWire("AT+COPS?");
        foreach (var b in AtWire.Bytes(bytes)) wire.Feed([b]);
        Assert.Equal(["+COPS: 0,0,\"Vodafone.de\",7"], wire.Response!.Lines);
        Assert.Equal(["+CREG: 1"], wire.Urcs);
        Assert.Equal(AtWire.Run("AT+COPS?", bytes).Response!.Lines, wire.Response.Lines);
    }

    [Fact]
    public void Garbage_and_an_over_long_line_cost_only_themselves()
    {
        var wire = new AtWire("AT+CSQ");
        wire.Feed([0xFF, 0x00, 0x13, 0x0D, 0x0A]);
        wire.Feed(AtWire.Bytes(new string('x', 600) + "\r\n"));
        wire.Feed(AtWire.Bytes("\r\n+CSQ: 31,99\r\n\r\nOK\r\n"));
        Assert.Equal([AtFormatError.NotText, AtFormatError.LineTooLong], wire.Errors);
        Assert.Equal(["+CSQ: 31,99"], wire.Response!.Lines);
    }

    [Fact]
    public void Command_names_and_urc_names()
    {
        Assert.Equal("+CSQ", AtUnsolicited.ResponseNameOf("AT+CSQ"));
        Assert.Equal("+CREG", AtUnsolicited.ResponseNameOf("AT+CREG?"));
        Assert.Equal("+CMEE", AtUnsolicited.ResponseNameOf("AT+CMEE=1"));
        Assert.Null(AtUnsolicited.ResponseNameOf("ATE0"));
        Assert.Equal("+CEREG", AtUnsolicited.NameOf("+CEREG: 5"));
        Assert.Equal("RING", AtUnsolicited.NameOf("RING"));
        Assert.True(AtUnsolicited.IsUnsolicited("+CREG: 1", "AT+CSQ"));
        Assert.False(AtUnsolicited.IsUnsolicited("+CREG: 0,1", "AT+CREG?"));
        Assert.False(AtUnsolicited.IsUnsolicited("+CSQ: 1,2", null));
    }
}
