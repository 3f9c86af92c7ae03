using Dcu.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Tests.Configuration;

/// <summary>Sections EventRules and DcuEvents and Dcu:UplinkLink: bound strictly, every problem names its key.</summary>
public sealed class EventSettingsValidationTests
{
    private static Dictionary<string, string?> Valid() => new()
    {
        ["Dcu:Id"] = "dcu-test",
        ["Dcu:DataDirectory"] = "/tmp/dcu-event-settings-test",
        ["Buses:0:Name"] = "rs485-1",
        ["Buses:0:Type"] = "SimulatedModbusRtu",
        ["Meters:0:Id"] = "pv-1",
        ["Meters:0:Bus"] = "rs485-1",
        ["Meters:0:Address"] = "1",
        ["Meters:0:Profile"] = "eastron-sdm630",
        ["Mqtt:Host"] = "127.0.0.1",
    };

    private static (DcuSettings Settings, IReadOnlyList<string> Problems) Load(params (string Key, string Value)[] changes)
    {
        var values = Valid();
        foreach (var (key, value) in changes) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
        return (settings, SettingsValidator.Validate(settings, null));
    }

    [Fact]
    public void Defaults_are_valid_and_sections_bind()
    {
        var (defaults, none) = Load();
        Assert.Empty(none);
        Assert.Equal("auto", defaults.Dcu.UplinkLink);
        Assert.Null(defaults.DcuEvents.TamperPin);
        Assert.Equal(230, defaults.EventRules.NominalVoltage);

        var (s, problems) = Load(("EventRules:NominalVoltage", "120"), ("EventRules:CurrentLimit", "63"), ("EventRules:ProducerMeters:0", "pv-1"),
            ("DcuEvents:TamperPin", "17"), ("DcuEvents:TamperActiveLevel", "low"), ("DcuEvents:ClockStepThreshold", "00:00:30"), ("Dcu:UplinkLink", "cellular"));
        Assert.Empty(problems);
        Assert.Equal(120, s.EventRules.NominalVoltage);
        Assert.Equal(63, s.EventRules.CurrentLimit);
        Assert.Equal(["pv-1"], s.EventRules.ProducerMeters);
        Assert.Equal(17, s.DcuEvents.TamperPin);
        Assert.True(s.DcuEvents.TamperActiveLow);
        Assert.Equal(TimeSpan.FromSeconds(30), s.DcuEvents.ClockStepThreshold);
        Assert.Equal("cellular", s.Dcu.UplinkLink);
    }

    [Theory]
    [InlineData("EventRules:SagPercent", "0", "EventRules:SagPercent")]
    [InlineData("EventRules:Confirmations", "0", "EventRules:Confirmations")]
    [InlineData("EventRules:PowerLimit", "-1", "EventRules:PowerLimit")]
    [InlineData("EventRules:ProducerMeters:0", "nobody", "EventRules:ProducerMeters:0 'nobody' is not in Meters")]
    [InlineData("DcuEvents:AliveInterval", "00:00:00", "DcuEvents:AliveInterval")]
    [InlineData("DcuEvents:TamperActiveLevel", "sideways", "DcuEvents:TamperActiveLevel")]
    [InlineData("DcuEvents:TamperDebounce", "0", "DcuEvents:TamperDebounce")]
    [InlineData("DcuEvents:TamperGpioChip", "1", "DcuEvents:TamperGpioChip is set but TamperPin is not")]
    [InlineData("Dcu:UplinkLink", "lte", "Dcu:UplinkLink")]
    public void A_bad_value_is_one_problem_naming_its_key(string key, string value, string named)
    {
        var (_, problems) = Load((key, value));
        Assert.Contains(named, Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_in_the_new_sections_are_named()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Load(("EventRules:SagPercnt", "5")));
        Assert.Contains("EventRules:SagPercnt", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InvalidOperationException>(() => Load(("DcuEvents:TamperPn", "5")));
        Assert.Contains("DcuEvents:TamperPn", error.Message, StringComparison.Ordinal);
    }
}
