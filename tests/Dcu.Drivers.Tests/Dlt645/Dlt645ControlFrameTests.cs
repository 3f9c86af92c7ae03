using Dcu.Core.Abstractions;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Tests.Modbus;

namespace Dcu.Drivers.Tests.Dlt645;

/// <summary>
/// Relay (1CH/9CH/DCH), write data (14H/94H/D4H) and status word 3, against frames built by hand from
/// the standard's layouts (meter 123456789012, password 02 123456, operator code 11223344,
/// deadline / time 2024-05-17 13:45:30, a Friday): every data byte +33H, CS = sum from the first 68H.
/// </summary>
public class Dlt645ControlFrameTests
{
    private static readonly Dlt645Address Address = Dlt645Address.Parse(Dlt645Vectors.Meter);
    private static readonly Dlt645Password Password = new(0x02, 0x123456);
    private static readonly DateTime At = new(2024, 5, 17, 13, 45, 30);

    // 1CH: 02 56 34 12 | 44 33 22 11 | N1 | 00 | 30 45 13 17 05 24, each +33H.
    public const string Trip = "68 12 90 78 56 34 12 68 1C 10 35 89 67 45 77 66 55 44 4D 33 63 78 46 4A 38 57 0C 16";
    public const string CloseDirect = "68 12 90 78 56 34 12 68 1C 10 35 89 67 45 77 66 55 44 4F 33 63 78 46 4A 38 57 0E 16";
    public const string ControlAccepted = "68 12 90 78 56 34 12 68 9C 00 22 16";

    /// <summary>DCH with error byte 04H (+33H = 37H): wrong password / not authorised.</summary>
    public const string ControlRefusedPassword = "68 12 90 78 56 34 12 68 DC 01 37 9A 16";

    // 14H: DI 04000102 (02 01 00 04) | password | operator | ss mm hh; DI 04000101 | ... | WW DD MM YY.
    public const string WriteTime = "68 12 90 78 56 34 12 68 14 0F 35 34 33 37 35 89 67 45 77 66 55 44 63 78 46 7D 16";
    public const string WriteDate = "68 12 90 78 56 34 12 68 14 10 34 34 33 37 35 89 67 45 77 66 55 44 38 4A 38 57 6D 16";
    public const string WriteAccepted = "68 12 90 78 56 34 12 68 94 00 1A 16";
    public const string WriteRefusedPassword = "68 12 90 78 56 34 12 68 D4 01 37 92 16";

    /// <summary>91H reply to 04000503 with status word 3 = 0050H (bit 4 relay open, bit 6 trip ordered).</summary>
    public const string Status3Open = "68 12 90 78 56 34 12 68 91 06 36 38 33 37 83 33 AB 16";

    public static TheoryData<string> Frames() => new()
    {
        Trip, CloseDirect, ControlAccepted, ControlRefusedPassword, WriteTime, WriteDate, WriteAccepted, WriteRefusedPassword, Status3Open,
        Dlt645Vectors.BroadcastTime,
    };

    private static string H(string spaced) => spaced.Replace(" ", "", StringComparison.Ordinal);

    [Fact]
    public void Control_requests_are_the_hand_built_bytes()
    {
        Assert.Equal(H(Trip), Hex.Of(Dlt645Frame.RelayControl(Address, Dlt645RelayCommand.Trip, Password, 0x11223344, At)));
        Assert.Equal(H(CloseDirect), Hex.Of(Dlt645Frame.Build(Address, 0x1C, Dlt645Frame.RelayControlData(Dlt645RelayCommand.CloseDirect, Password, 0x11223344, At))));
    }

    [Fact]
    public void Write_requests_are_the_hand_built_bytes()
    {
        Assert.Equal(H(WriteTime), Hex.Of(Dlt645Frame.WriteData(Address, Dlt645DataId.Time, Password, 0x11223344, [0x30, 0x45, 0x13])));
        var date = new byte[4];
        Dlt645Values.EncodeDate(date, At);
        Assert.Equal(H(WriteDate), Hex.Of(Dlt645Frame.WriteData(Address, Dlt645DataId.Date, Password, 0x11223344, date)));
        Assert.Equal(H(WriteDate), Hex.Of(Dlt645Frame.Build(Address, 0x14, Dlt645Frame.WriteDataData(Dlt645DataId.Date, Password, 0x11223344, date))));
    }

    [Fact]
    public void Broadcast_time_uses_the_meters_local_clock()
    {
        var utc = new DateTimeOffset(2024, 5, 17, 5, 45, 30, TimeSpan.Zero);
        Assert.Equal(H(Dlt645Vectors.BroadcastTime), Hex.Of(Dlt645MeterControl.BroadcastTimeFrame(utc, TimeSpan.FromHours(8))));
    }

    [Theory]
    [InlineData(ControlAccepted, Dlt645Function.Control, false, Dlt645ErrorWord.None)]
    [InlineData(ControlRefusedPassword, Dlt645Function.Control, true, Dlt645ErrorWord.Unauthorized)]
    [InlineData(WriteAccepted, Dlt645Function.WriteData, false, Dlt645ErrorWord.None)]
    [InlineData(WriteRefusedPassword, Dlt645Function.WriteData, true, Dlt645ErrorWord.Unauthorized)]
    public void Replies_parse_against_their_request(string frame, Dlt645Function function, bool abnormal, Dlt645ErrorWord word)
    {
        var status = Dlt645Frame.TryParseReply(Hex.Bytes(frame), new Dlt645Request(Address, function), out var reply, out _, out var error);
        Assert.Equal(Dlt645FrameStatus.Complete, status);
        Assert.Equal(Dlt645FrameError.None, error);
        Assert.Equal(abnormal, reply!.IsAbnormal);
        Assert.Equal(word, reply.ErrorWord);
        // A control reply is not a write reply and the other way round.
        var other = function == Dlt645Function.Control ? Dlt645Function.WriteData : Dlt645Function.Control;
        Assert.Equal(Dlt645FrameStatus.Error, Dlt645Frame.TryParseReply(Hex.Bytes(frame), new Dlt645Request(Address, other), out _, out var consumed, out error));
        Assert.Equal(Dlt645FrameError.WrongFunction, error);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void The_error_byte_reads_in_words()
    {
        Assert.Equal("password wrong or not authorised", Dlt645ErrorWord.Unauthorized.Describe());
        Assert.Contains("command not allowed", Dlt645ErrorWord.Other.Describe(), StringComparison.Ordinal);
        var ex = new Dlt645MeterException(Address, Dlt645Function.Control, null, Dlt645ErrorWord.Unauthorized);
        Assert.Equal("dlt645_unauthorized", ex.Reason);
        Assert.Contains("password wrong or not authorised", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x0000, RelayState.Connected, false)]
    [InlineData(0x0050, RelayState.Disconnected, false)] // open, trip ordered
    [InlineData(0x0010, RelayState.Disconnected, true)]  // open, close permitted (1BH): waits for the button
    [InlineData(0x0040, RelayState.Connected, false)]    // trip ordered, not yet carried out (e.g. pre-trip delay)
    [InlineData(0xFFAF, RelayState.Connected, false)]    // every other bit set, bit 4 clear
    public void Status_word_3_gives_the_relay_state_from_bit_4(int word, RelayState state, bool awaitingButton)
    {
        var status = (Dlt645RunningStatus3)word;
        Assert.Equal(state, status.ToRelayState());
        Assert.Equal(awaitingButton, status.IsAwaitingManualClose());
    }

    [Fact]
    public void Status_word_3_reply_decodes_low_byte_first()
    {
        var status = Dlt645Frame.TryParseReply(Hex.Bytes(Status3Open), Dlt645Request.Read(Address, Dlt645DataId.RunningStatus3), out var reply, out _, out _);
        Assert.Equal(Dlt645FrameStatus.Complete, status);
        var word = (Dlt645RunningStatus3)Dlt645Values.DecodeStatusWord(reply!.Data);
        Assert.Equal(Dlt645RunningStatus3.RelayOpen | Dlt645RunningStatus3.RelayCommandOpen, word);
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Every_prefix_is_incomplete_and_consumes_nothing(string frame)
    {
        var bytes = Hex.Bytes(frame);
        Assert.Equal(Dlt645FrameStatus.Complete, Dlt645Frame.TryRead(bytes, out _, out var consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Equal(Dlt645FrameStatus.Incomplete, Dlt645Frame.TryRead(bytes.AsSpan(0, n), out _, out consumed, out _));
            Assert.Equal(0, consumed);
        }
    }

    [Fact]
    public void Passwords_parse_from_their_usual_text_and_never_print()
    {
        Assert.True(Dlt645Password.TryParse("02123456", out var password));
        Assert.Equal(Password, password);
        Assert.False(Dlt645Password.TryParse("0212345", out _));
        Assert.False(Dlt645Password.TryParse("02x23456", out _));
        Assert.DoesNotContain("123456", password.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("1193046", password.ToString(), StringComparison.Ordinal);
        var settings = new Dlt645ControlSettings { RelayPassword = password, OperatorCode = 0x11223344 };
        Assert.DoesNotContain("123456", settings.ToString(), StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => Dlt645ControlSettings.ParsePassword("secret99", "Buses:0:RelayPassword"));
        Assert.Contains("Buses:0:RelayPassword", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret99", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0x00000001u, Dlt645ControlSettings.ParseOperatorCode("00000001", "x"));
    }
}
