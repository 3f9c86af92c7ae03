using System.Text.Json.Nodes;
using Dcu.Host.Commands;
using Dcu.Host.Configuration;
using static Dcu.Host.Tests.Configuration.SectionSettings;

namespace Dcu.Host.Tests.Configuration;

/// <summary>The "Board" section (status LEDs): nothing driven by default, bound strictly, validated naming the key, exit 78 from the real executable.</summary>
public sealed class BoardSettingsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-board-config-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void No_LED_is_driven_by_default()
    {
        var b = Bind().Board;
        Assert.Null(b.GpioChip);
        Assert.Null(b.Leds.Run);
        Assert.Null(b.Leds.Uplink);
        Assert.Null(b.Leds.Fault);
        Assert.False(b.Leds.ActiveLow);
        Assert.False(b.LedPins().Any);
        Assert.Empty(Problems());
    }

    [Fact]
    public void Three_LEDs_on_their_own_lines_are_accepted()
    {
        var s = Bind(("Board:GpioChip", "0"), ("Board:Leds:Run", "5"), ("Board:Leds:Uplink", "6"), ("Board:Leds:Fault", "53"), ("Board:Leds:ActiveLow", "true"));
        Assert.Equal(new Dcu.Drivers.Board.StatusLedPins(5, 6, 53), s.Board.LedPins());
        Assert.True(s.Board.Leds.ActiveLow);
        Assert.Equal(0, s.Board.GpioChip);
        Assert.Empty(SettingsValidator.Validate(s, Profiles));
    }

    [Theory]
    [InlineData("Board:Leds:Run", "54", "Board:Leds:Run must be a BCM GPIO number 0..53 (got 54)")]
    [InlineData("Board:Leds:Uplink", "-1", "Board:Leds:Uplink must be a BCM GPIO number 0..53 (got -1)")]
    [InlineData("Board:Leds:Fault", "5", "Board:Leds:Fault 5 is already Board:Leds:Run: each LED needs its own line")]
    [InlineData("Board:GpioChip", "65", "Board:GpioChip must be 0..64 (got 65)")]
    [InlineData("DcuEvents:TamperPin", "5", "Board:Leds:Run 5 is DcuEvents:TamperPin: each LED needs its own line")]
    public void A_bad_board_setting_is_one_problem_naming_its_key(string key, string value, string says)
    {
        var problem = Assert.Single(Problems(("Board:Leds:Run", "5"), (key, value)));
        Assert.Equal(says, problem);
    }

    [Fact]
    public void A_tamper_switch_on_another_chip_may_share_the_line_number() =>
        Assert.Empty(Problems(("Board:Leds:Run", "5"), ("Board:GpioChip", "1"), ("DcuEvents:TamperPin", "5"), ("DcuEvents:TamperGpioChip", "0")));

    [Theory]
    [InlineData("Board:Leds:Power", "7")]
    [InlineData("Board:Rtc", "true")]
    public void An_unknown_board_key_is_refused_naming_it(string key, string value) =>
        Assert.Contains(key, Assert.Throws<InvalidOperationException>(() => Bind((key, value))).Message, StringComparison.Ordinal);

    [Fact]
    public void A_value_that_does_not_convert_is_refused_naming_the_key() =>
        Assert.Contains("Board:Leds:Run", Assert.Throws<InvalidOperationException>(() => Bind(("Board:Leds:Run", "GPIO5"))).Message, StringComparison.Ordinal);

    [Fact]
    public void Config_get_shows_the_section()
    {
        var board = ConfigView.Build(Bind(("Board:Leds:Uplink", "6"))).AsObject()["Board"]!.AsObject();
        Assert.Null(board["GpioChip"]);
        Assert.Equal(6, board["Leds"]!["Uplink"]!.GetValue<int>());
        Assert.False(board["Leds"]!["ActiveLow"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_DCU_refuses_to_start_with_exit_78_naming_each_bad_board_key()
    {
        await using var dcu = await StartRefusedAsync(_dir, "Board", new JsonObject { ["Leds"] = new JsonObject { ["Run"] = 99, ["Uplink"] = 6, ["Fault"] = 6 } });

        await dcu.WaitForOutputAsync("Board:Leds:Run must be");
        await dcu.WaitForOutputAsync("Board:Leds:Fault 6 is already Board:Leds:Uplink");
    }
}
