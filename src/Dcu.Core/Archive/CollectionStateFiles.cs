using System.Text.Json;
using System.Text.Json.Serialization;
using Dcu.Core.Collection;
using Dcu.Core.Persistence;

namespace Dcu.Core.Archive;

/// <summary>
/// The meter archive and the collection tasks as changed at runtime, kept in the data directory:
/// <c>meters.json</c> and <c>tasks.json</c>, each rewritten whole and atomically (<see cref="StateFile"/>)
/// on every change. At start a file that exists rules over the configuration file's "Meters" /
/// "Collection:Tasks"; while it does not exist the configuration file is used, and the first change
/// by command writes it. Same field names as the configuration file, so entries can be copied over.
/// </summary>
public sealed class CollectionStateFiles(string directory)
{
    public const int FormatVersion = 1;

    public string MetersPath { get; } = Path.Combine(directory, "meters.json");

    public string TasksPath { get; } = Path.Combine(directory, "tasks.json");

    /// <summary>The persisted archive, or null when there is none. Throws <see cref="InvalidDataException"/> naming the file and what is wrong with it.</summary>
    public IReadOnlyList<MeterEntry>? LoadMeters()
    {
        var doc = Load(MetersPath, StateJsonContext.Default.PersistedMeters);
        if (doc is null) return null;
        return Entries(MetersPath, doc.Version, doc.Meters, "Meters");
    }

    /// <summary>The persisted tasks, or null when there are none. Throws <see cref="InvalidDataException"/> naming the file and what is wrong with it.</summary>
    public IReadOnlyList<CollectionTaskOptions>? LoadTasks()
    {
        var doc = Load(TasksPath, StateJsonContext.Default.PersistedTasks);
        if (doc is null) return null;
        return Entries(TasksPath, doc.Version, doc.Tasks, "Tasks");
    }

    public void SaveMeters(IEnumerable<MeterEntry> meters) =>
        DurableFile.WriteAllBytes(MetersPath, JsonSerializer.SerializeToUtf8Bytes(new PersistedMeters { Version = FormatVersion, Meters = [.. meters] }, StateJsonContext.Default.PersistedMeters));

    public void SaveTasks(IEnumerable<CollectionTaskOptions> tasks) =>
        DurableFile.WriteAllBytes(TasksPath, JsonSerializer.SerializeToUtf8Bytes(new PersistedTasks { Version = FormatVersion, Tasks = [.. tasks] }, StateJsonContext.Default.PersistedTasks));

    private static T? Load<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (!File.Exists(path)) return null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot be read: {ex.Message}", ex);
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw new InvalidDataException($"{path}: holds null instead of an object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid: {ex.Message}", ex);
        }
    }

    private static IReadOnlyList<T> Entries<T>(string path, int version, List<T?>? entries, string name) where T : class
    {
        if (version != FormatVersion) throw new InvalidDataException($"{path}: Version {version} is not supported (expected {FormatVersion})");
        if (entries is null) throw new InvalidDataException($"{path}: {name} is missing");
        var nulls = entries.FindIndex(e => e is null);
        if (nulls >= 0) throw new InvalidDataException($"{path}: {name}:{nulls} is null");
        return entries!;
    }
}

internal sealed class PersistedMeters
{
    public int Version { get; set; }

    public List<MeterEntry?>? Meters { get; set; }
}

internal sealed class PersistedTasks
{
    public int Version { get; set; }

    public List<CollectionTaskOptions?>? Tasks { get; set; }
}

/// <summary>Source-generated (trimming and NativeAOT): unknown fields are refused, comments and trailing commas allowed for hand edits.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(PersistedMeters))]
[JsonSerializable(typeof(PersistedTasks))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
