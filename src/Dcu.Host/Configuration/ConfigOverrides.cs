using System.Text.Json;
using Dcu.Core.Commands;
using Dcu.Core.Persistence;

namespace Dcu.Host.Configuration;

/// <summary>
/// The settings changed remotely (config.set), persisted as a flat JSON object
/// <c>{"Dcu:HeartbeatInterval":"00:00:30",...}</c> in <c>{DataDirectory}/config-overrides.json</c>, written
/// atomically (temp, fsync, rename, fsync directory), and layered over the config file at start
/// (<see cref="ConfigurationLayers"/>). Only keys of <see cref="RemoteConfigKeys"/> may appear.
/// </summary>
public static class ConfigOverrides
{
    public const string FileName = "config-overrides.json";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>The overrides in <paramref name="path"/> (empty when there is no file). Throws <see cref="InvalidDataException"/> naming the file and key.</summary>
    public static Dictionary<string, string> Load(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path)) return result;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: must be a JSON object of \"Section:Key\": value");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var key = RemoteConfigKeys.Canonical(p.Name) ?? throw new InvalidDataException($"{path}: '{p.Name}' may not be overridden (allowed: {string.Join(", ", RemoteConfigKeys.All)})");
                if (p.Value.ValueKind != JsonValueKind.String) throw new InvalidDataException($"{path}: the value of '{p.Name}' must be a string");
                result[key] = p.Value.GetString()!;
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({ex.Message})", ex);
        }
        return result;
    }

    public static void Save(string path, IReadOnlyDictionary<string, string> overrides)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var (key, value) in overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(key, value);
            w.WriteEndObject();
        }
        DurableFile.WriteAllBytes(path, stream.ToArray());
    }
}
