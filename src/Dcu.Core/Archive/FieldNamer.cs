using System.Globalization;

namespace Dcu.Core.Archive;

/// <summary>
/// Names a field in a problem message the way its source names it: "Meters:3:Address" in the
/// configuration file, "args.meters[3].address" in a command. <paramref name="index"/> is set for an
/// element of a list property ("Quantities", 2).
/// </summary>
public delegate string FieldNamer(string property, int? index = null);

public static class FieldNames
{
    /// <summary>Configuration keys: "{prefix}:{Property}" and "{prefix}:{Property}:{index}".</summary>
    public static FieldNamer Config(string prefix) =>
        (p, i) => i is null ? $"{prefix}:{p}" : string.Create(CultureInfo.InvariantCulture, $"{prefix}:{p}:{i}");

    /// <summary>Command arguments: "{prefix}.{property}" and "{prefix}.{property}[{index}]", property in camelCase.</summary>
    public static FieldNamer Args(string prefix) =>
        (p, i) => (prefix.Length == 0 ? Camel(p) : $"{prefix}.{Camel(p)}") + (i is null ? "" : string.Create(CultureInfo.InvariantCulture, $"[{i}]"));

    private static string Camel(string p) => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..];
}
