using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Configuration;

/// <summary>The configuration the DCU runs with, and what was said about the remote overrides.</summary>
/// <param name="Overrides">The overrides in effect (empty when there are none or they were ignored).</param>
/// <param name="Problems">What <see cref="SettingsValidator"/> found; the DCU starts only when empty.</param>
/// <param name="Warning">Set when config-overrides.json was ignored, and why.</param>
public sealed record LoadedSettings(IConfigurationRoot Configuration, DcuSettings Settings, IReadOnlyDictionary<string, string> Overrides,
    IReadOnlyList<string> Problems, string? Warning);

/// <summary>
/// Binds the layered configuration (<see cref="ConfigurationLayers"/>), with the remote overrides read
/// from the data directory the file names. Overrides that make the configuration invalid (a hand-edited
/// file, a newer validator) are ignored with a warning rather than keeping a remote DCU from starting;
/// problems of the file itself are reported as before.
/// </summary>
public static class SettingsLoader
{
    /// <summary>Throws <see cref="InvalidOperationException"/> (and the binder's exceptions) for a file that cannot be bound.</summary>
    public static LoadedSettings Load(ConfigurationLayers layers, Func<DcuSettings, IReadOnlyList<string>> validate)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(validate);
        var configuration = layers.Build();
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
        var none = new Dictionary<string, string>();
        var path = ConfigOverrides.PathIn(settings.Dcu.DataDirectory);
        Dictionary<string, string> overrides;
        try
        {
            overrides = ConfigOverrides.Load(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new(configuration, settings, none, validate(settings), $"ignoring {path}: {ex.Message}");
        }
        if (overrides.Count == 0) return new(configuration, settings, none, validate(settings), null);

        string problem;
        try
        {
            var layered = layers.Build(overrides);
            var withOverrides = SettingsResolver.Resolve(DcuSettings.Bind(layered), layered);
            var problems = validate(withOverrides);
            if (problems.Count == 0) return new(layered, withOverrides, overrides, problems, null);
            problem = string.Join("; ", problems);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
        {
            problem = ex.Message;
        }
        return new(configuration, settings, none, validate(settings), $"ignoring {path}: {problem}");
    }
}
