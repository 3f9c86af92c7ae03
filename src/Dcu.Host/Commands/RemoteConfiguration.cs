using Dcu.Host.Configuration;

namespace Dcu.Host.Commands;

/// <summary>What the config commands need to know of how the running configuration was built: its layers and the overrides in effect.</summary>
public sealed class RemoteConfiguration(ConfigurationLayers layers, IReadOnlyDictionary<string, string> overrides)
{
    public ConfigurationLayers Layers { get; } = layers;

    /// <summary>The persisted overrides (what the next start layers over the file); replaced by config.set.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; internal set; } = new Dictionary<string, string>(overrides, StringComparer.OrdinalIgnoreCase);
}
