using Dcu.Drivers.Profiles;
using Dcu.Host.Cli;
using Dcu.Host.Configuration;
using Dcu.Host.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Exit codes follow sysexits.h, so systemd and install scripts can tell a bad file from a crash.
const int ExUsage = 64, ExConfig = 78, ExSoftware = 70;

var cli = CommandLine.TryParse(args, out var argError);
if (cli is null)
{
    Console.Error.WriteLine($"dcu: {argError}\n\n{CommandLine.Usage}");
    return ExUsage;
}
if (cli.Help) { Console.WriteLine(CommandLine.Usage); return 0; }
if (cli.Version) { Console.WriteLine($"dcu {DcuRuntime.Version}"); return 0; }
if (cli.ConfigPath is null && !cli.Demo)
{
    Console.Error.WriteLine($"dcu: give --config PATH, or --demo to run on simulated meters\n\n{CommandLine.Usage}");
    return ExUsage;
}

DcuSettings settings;
IReadOnlyDictionary<string, MeterProfile> profiles;
IConfigurationRoot configuration;
PersistedCollection persisted;
try
{
    var builder = new ConfigurationBuilder();
    if (cli.Demo) builder.AddInMemoryCollection(DemoDefaults.Values(Path.Combine(Path.GetTempPath(), "dcu-demo")));
    if (cli.ConfigPath is not null)
    {
        var full = Path.GetFullPath(cli.ConfigPath);
        if (!File.Exists(full)) return ConfigError($"configuration file not found: {full}");
        builder.AddJsonFile(full, optional: false, reloadOnChange: false);
    }
    builder.AddEnvironmentVariables("DCU_");
    configuration = builder.Build();
    settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
    persisted = PersistedCollection.Apply(settings); // meters.json / tasks.json in the data directory rule over the file's Meters / Collection:Tasks
    profiles = MeterProfileLoader.LoadDirectory(settings.Dcu.ProfilesDirectory);
}
catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or MeterProfileException or IOException or ArgumentException)
{
    return ConfigError(ex.Message);
}
var problems = SettingsValidator.Validate(settings, profiles);
if (problems.Count > 0)
{
    foreach (var p in problems) Console.Error.WriteLine($"dcu: configuration error: {persisted.Describe(p)}");
    Console.Error.WriteLine($"dcu: {problems.Count} configuration error(s); not started");
    return ExConfig;
}

var host = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "dcu", ContentRootPath = AppContext.BaseDirectory });
host.Configuration.AddConfiguration(configuration);
host.Logging.AddConfiguration(configuration.GetSection("Logging"));
host.Logging.SetMinimumLevel(LogLevel.Information);
host.Logging.AddFilter("Microsoft", LogLevel.Warning);
host.Logging.AddFilter("MQTTnet", LogLevel.Warning);
// A failed start is reported once, below, in one line; the host's own error log would repeat it as a stack trace.
host.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
host.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; o.UseUtcTimestamp = true; });
host.Services.AddSystemd();
host.Services.AddSingleton(settings);
host.Services.AddSingleton(TimeProvider.System);
host.Services.AddSingleton(sp => new DcuRuntime(settings, profiles, cli.Demo ? RunMode.Demo : RunMode.Service,
    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IHostApplicationLifetime>(),
    sp.GetService<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier>(), persisted));
host.Services.AddHostedService(sp => sp.GetRequiredService<DcuRuntime>());

try
{
    using var app = host.Build();
    await app.RunAsync();
    return Environment.ExitCode;
}
catch (Exception ex)
{
    // Start-up failures (a port taken, a data directory not writable) end here with their own message;
    // anything else is a bug and keeps its stack trace.
    Console.Error.WriteLine(ex is InvalidOperationException or IOException or UnauthorizedAccessException ? $"dcu: {ex.Message}" : $"dcu: {ex}");
    return ExSoftware;
}

static int ConfigError(string message)
{
    Console.Error.WriteLine($"dcu: configuration error: {message}");
    return ExConfig;
}
