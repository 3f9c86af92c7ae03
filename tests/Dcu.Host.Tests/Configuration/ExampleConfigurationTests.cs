using Dcu.Drivers.Profiles;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Tests.Configuration;

/// <summary>The documented example in hardware/ must stay a configuration the DCU accepts.</summary>
public sealed class ExampleConfigurationTests
{
    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Example_configuration_binds_and_only_misses_the_certificate_files_of_a_real_box()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(RepoFile("hardware/dcu.example.json")).Build();
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
        var profiles = MeterProfileLoader.LoadDirectory(RepoFile("hardware/meter-profiles/eastron-sdm630.json") is { } f ? Path.GetDirectoryName(f)! : "");

        var problems = SettingsValidator.Validate(settings, profiles);

        // The example points at /etc/dcu/tls/*.pem, which exist on an installed box, not here.
        Assert.All(problems, p => Assert.Contains("file not found: /etc/dcu/tls/", p, StringComparison.Ordinal));
        Assert.Equal(3, problems.Count);
        Assert.Equal("dcu-0001", settings.Dcu.Id);
        Assert.Equal(3, settings.Buses.Count);
        Assert.Equal(4, settings.Meters.Count);
        Assert.Equal("/var/lib/dcu/outbox.db", settings.Outbox.Path);
        Assert.Equal("dcu/dcu-0001/status", settings.Mqtt.StatusTopic);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Commands.ExecutionTimeout);
        Assert.Equal(8, settings.Commands.MaxConcurrent);
        Assert.Null(settings.Commands.SigningKey);
    }
}
