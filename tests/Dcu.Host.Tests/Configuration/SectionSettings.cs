using System.Text.Json.Nodes;
using Dcu.Drivers.Profiles;
using Dcu.Host.Configuration;
using Dcu.Testing;
using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Tests.Configuration;

/// <summary>
/// A section under test on top of the smallest valid configuration (an id, a data directory, a broker), bound and
/// validated as the DCU does at start: for the tests of one section each (Board, Cellular, Console, ...).
/// </summary>
internal static class SectionSettings
{
    public static readonly IReadOnlyDictionary<string, MeterProfile> Profiles =
        MeterProfileLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "meter-profiles"));

    /// <summary>Binds the minimal configuration with <paramref name="keys"/> set; throws as the DCU would for an unknown key or a bad value.</summary>
    public static DcuSettings Bind(params (string Key, string Value)[] keys)
    {
        var values = new Dictionary<string, string?>
        {
            ["Dcu:Id"] = "dcu-test",
            ["Dcu:DataDirectory"] = "/tmp/dcu-section-settings-test",
            ["Mqtt:Host"] = "127.0.0.1",
        };
        foreach (var (key, value) in keys) values[key] = value;
        return Bind(values);
    }

    /// <summary>Binds exactly <paramref name="values"/>.</summary>
    public static DcuSettings Bind(IEnumerable<KeyValuePair<string, string?>> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
    }

    /// <summary>What the validator says of the minimal configuration with <paramref name="keys"/> set.</summary>
    public static IReadOnlyList<string> Problems(params (string Key, string Value)[] keys) => SettingsValidator.Validate(Bind(keys), Profiles);

    /// <summary>
    /// Starts the real dcu on a file with an id, <paramref name="dir"/> as data directory and <paramref name="section"/>
    /// set to <paramref name="value"/>, and asserts that it refuses to start with exit code 78; the process is returned
    /// for its output.
    /// </summary>
    public static async Task<DcuProcess> StartRefusedAsync(DirectoryInfo dir, string section, JsonObject value)
    {
        var path = Path.Combine(dir.FullName, "dcu.json");
        await File.WriteAllTextAsync(path, new JsonObject
        {
            ["Dcu"] = new JsonObject { ["Id"] = section.ToLowerInvariant() + "-exit", ["DataDirectory"] = dir.FullName },
            [section] = value,
        }.ToJsonString());
        var dcu = DcuProcess.Start(null, "--config", path);
        Assert.Equal(78, await dcu.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        return dcu;
    }
}
