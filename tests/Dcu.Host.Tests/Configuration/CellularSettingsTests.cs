using System.Text.Json.Nodes;
using Dcu.Host.Commands;
using Dcu.Host.Configuration;
using static Dcu.Host.Tests.Configuration.SectionSettings;

namespace Dcu.Host.Tests.Configuration;

/// <summary>The "Cellular" section: off by default, bound strictly, validated naming the key, exit 78 from the real executable.</summary>
public sealed class CellularSettingsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-cellular-config-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_modem_is_off_by_default_with_the_documented_defaults()
    {
        var c = Bind().Cellular;
        Assert.False(c.Enabled);
        Assert.False(c.Simulated);
        Assert.Equal("/dev/ttyUSB2", c.Port);
        Assert.Equal(115_200, c.Baud);
        Assert.Equal(TimeSpan.FromMinutes(1), c.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), c.CommandTimeout);
        Assert.Empty(Problems());
        Assert.Empty(Problems(("Cellular:Enabled", "true"), ("Cellular:Port", "/dev/dcu-modem-at"), ("Cellular:PollInterval", "00:00:30")));
    }

    [Theory]
    [InlineData("Cellular:Port", "ttyUSB2", "Cellular:Port must be the absolute path")]
    [InlineData("Cellular:Port", "", "Cellular:Port must be the absolute path")]
    [InlineData("Cellular:Baud", "0", "Cellular:Baud must be 300..4000000")]
    [InlineData("Cellular:PollInterval", "00:00:00.500", "Cellular:PollInterval must be")]
    [InlineData("Cellular:PollInterval", "02:00:00", "Cellular:PollInterval must be")]
    [InlineData("Cellular:CommandTimeout", "00:00:00", "Cellular:CommandTimeout must be")]
    [InlineData("Cellular:CommandTimeout", "00:01:00", "Cellular:CommandTimeout must be shorter than Cellular:PollInterval")]
    public void A_bad_cellular_setting_is_one_problem_naming_its_key(string key, string value, string says)
    {
        var problem = Assert.Single(Problems(("Cellular:Enabled", "true"), (key, value)));
        Assert.StartsWith(says, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_cellular_key_is_refused_naming_it() =>
        Assert.Contains("Cellular:Pin", Assert.Throws<InvalidOperationException>(() => Bind(("Cellular:Pin", "1234"))).Message, StringComparison.Ordinal);

    [Fact]
    public void A_value_that_does_not_convert_is_refused_naming_the_key() =>
        Assert.Contains("Cellular:PollInterval", Assert.Throws<InvalidOperationException>(() => Bind(("Cellular:PollInterval", "soon"))).Message, StringComparison.Ordinal);

    [Fact]
    public void The_demo_runs_a_simulated_modem()
    {
        var demo = Bind(DemoDefaults.Values("/tmp/dcu-cellular-demo"));
        Assert.True(demo.Cellular.Enabled);
        Assert.True(demo.Cellular.Simulated);
        Assert.Empty(demo.Cellular.Validate());
    }

    [Fact]
    public void Config_get_shows_the_section()
    {
        var cellular = ConfigView.Build(Bind(("Cellular:Port", "/dev/ttyACM3"))).AsObject()["Cellular"]!.AsObject();
        Assert.Equal("/dev/ttyACM3", cellular["Port"]!.GetValue<string>());
        Assert.Equal("00:01:00", cellular["PollInterval"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_DCU_refuses_to_start_with_exit_78_naming_each_bad_cellular_key()
    {
        await using var dcu = await StartRefusedAsync(_dir, "Cellular", new JsonObject { ["Enabled"] = true, ["Port"] = "COM3", ["CommandTimeout"] = "00:05:00" });

        await dcu.WaitForOutputAsync("Cellular:Port must be");
        await dcu.WaitForOutputAsync("Cellular:CommandTimeout must be");
    }
}
