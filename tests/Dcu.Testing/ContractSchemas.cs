using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace Dcu.Testing;

/// <summary>
/// The JSON Schemas of the MQTT contract (<c>docs/schemas/*.schema.json</c>), loaded once, with
/// validation that names every violation (JsonSchema.Net). Tests run real payloads through them.
/// </summary>
public static class ContractSchemas
{
    public const string Directory = "docs/schemas";

    private static readonly Lazy<string> Root = new(Locate);
    private static readonly ConcurrentDictionary<string, JsonSchema> Loaded = new(StringComparer.Ordinal);

    /// <summary>The schema file names (e.g. "readings-batch.schema.json").</summary>
    public static IReadOnlyList<string> Files =>
        System.IO.Directory.GetFiles(Root.Value, "*.schema.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>Violations of <paramref name="schemaFile"/> by <paramref name="json"/>: empty when it conforms.</summary>
    public static IReadOnlyList<string> Violations(string schemaFile, string json)
    {
        var schema = Loaded.GetOrAdd(schemaFile, f => JsonSchema.FromText(File.ReadAllText(Path.Combine(Root.Value, f)), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));
        using var doc = JsonDocument.Parse(json);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        var problems = new List<string>();
        foreach (var d in result.Details ?? [])
            if (d.Errors is { Count: > 0 } errors)
                foreach (var (key, message) in errors) problems.Add($"{d.InstanceLocation} ({key}): {message}");
        if (problems.Count == 0) problems.Add("invalid (no detail)");
        return problems;
    }

    /// <summary>Asserts that <paramref name="json"/> conforms, listing every violation and the payload otherwise.</summary>
    public static void AssertValid(string schemaFile, string json)
    {
        var problems = Violations(schemaFile, json);
        if (problems.Count > 0)
            throw new Xunit.Sdk.XunitException($"payload does not conform to {schemaFile}:\n  {string.Join("\n  ", problems)}\npayload: {(json.Length > 2000 ? json[..2000] + "..." : json)}");
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, Directory);
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"{Directory} not found above {AppContext.BaseDirectory}");
    }
}
