using Dcu.Drivers.Profiles;
using Dcu.Host.Cli;
using Dcu.Host.Commands;
using Dcu.Host.Configuration;
using Dcu.Host.Runtime;
using Dcu.Host.Technician;
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
if (cli.HashPassword) return PasswordHashing.Run(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected);
if (cli.ConfigPath is null && !cli.Demo)
{
    Console.Error.WriteLine($"dcu: give --config PATH, or --demo to run on simulated meters\n\n{CommandLine.Usage}");
    return ExUsage;
}

DcuSettings settings;
IReadOnlyDictionary<string, MeterProfile>? profiles = null;
IConfigurationRoot configuration;
ConfigurationLayers layers;
IReadOnlyDictionary<string, string> overrides;
IReadOnlyList<string> problems;
PersistedCollection? persisted = null;
try
{
    string? file = null;
    if (cli.ConfigPath is not null)
    {
        file = Path.GetFullPath(cli.ConfigPath);
        if (!File.Exists(file)) return ConfigError($"configuration file not found: {file}");
    }
    // File, then the remote overrides of config.set (DataDirectory/config-overrides.json), then DCU_ variables.
    layers = new ConfigurationLayers(cli.Demo ? DemoDefaults.Values(Path.Combine(Path.GetTempPath(), "dcu-demo")) : null, file);
    var loaded = SettingsLoader.Load(layers, s =>
    {
        persisted = PersistedCollection.Apply(s); // meters.json / tasks.json in the data directory rule over the file's Meters / Collection:Tasks
        return SettingsValidator.Validate(s, profiles ??= MeterProfileLoader.LoadDirectory(s.Dcu.ProfilesDirectory));
    });
    if (loaded.Warning is not null) Console.Error.WriteLine($"dcu: warning: {loaded.Warning}");
    (configuration, settings, overrides, problems) = (loaded.Configuration, loaded.Settings, loaded.Overrides, loaded.Problems);
}
catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or MeterProfileException or IOException or ArgumentException)
{
    return ConfigError(ex.Message);
}
if (problems.Count > 0)
{
    foreach (var p in problems) Console.Error.WriteLine($"dcu: configuration error: {persisted?.Describe(p) ?? p}");
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
host.Services.AddSingleton(sp => new DcuRuntime(settings, profiles!, cli.Demo ? RunMode.Demo : RunMode.Service,
    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IHostApplicationLifetime>(),
    sp.GetService<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier>(), new RemoteConfiguration(layers, overrides), persisted));
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
