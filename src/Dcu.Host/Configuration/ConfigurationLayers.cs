using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Configuration;

/// <summary>
/// How the DCU's configuration is layered, lowest first: the demo defaults (with --demo), the JSON
/// file (--config), the remote overrides persisted by config.set (config-overrides.json in the data
/// directory), then the DCU_ environment variables, which always win.
/// Program builds the running configuration with it; config.set builds the next start's to validate a change.
/// </summary>
public sealed class ConfigurationLayers(IEnumerable<KeyValuePair<string, string?>>? defaults, string? filePath, string environmentPrefix = "DCU_")
{
    public string? FilePath { get; } = filePath is null ? null : Path.GetFullPath(filePath);

    public string EnvironmentPrefix { get; } = environmentPrefix;

    /// <summary>The configuration with <paramref name="overrides"/> (flat "Section:Key" → value) layered over the file.</summary>
    public IConfigurationRoot Build(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (defaults is not null) builder.AddInMemoryCollection(defaults);
        if (FilePath is not null) builder.AddJsonFile(FilePath, optional: false, reloadOnChange: false);
        if (overrides is { Count: > 0 }) builder.AddInMemoryCollection(overrides.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)));
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        return builder.Build();
    }

    /// <summary>The environment variable that sets <paramref name="key"/> (it wins over an override), or null.</summary>
    public string? EnvironmentVariableFor(string key) =>
        new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build()[key] is null
            ? null
            : EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);
}
