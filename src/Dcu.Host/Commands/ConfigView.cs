using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Dcu.Core.Collection;
using Dcu.Host.Configuration;

namespace Dcu.Host.Commands;

/// <summary>
/// The effective settings as JSON (every configuration key with its value, defaults included), secrets
/// masked. The rule: a setting whose name contains "password", "secret", "token", "passphrase" or
/// "credential", or ends in "key" (SigningKey; not ClientKeyPath, a path), shows "***" when set and null
/// when not. The rule goes by name, so a secret added later (a relay password) is masked without a change here.
/// </summary>
public static class ConfigView
{
    public const string Mask = "***";

    public static bool IsSecret(string name)
    {
        var n = name.ToLowerInvariant();
        return n.Contains("password", StringComparison.Ordinal) || n.Contains("secret", StringComparison.Ordinal) || n.Contains("token", StringComparison.Ordinal)
            || n.Contains("passphrase", StringComparison.Ordinal) || n.Contains("credential", StringComparison.Ordinal) || n.EndsWith("key", StringComparison.Ordinal);
    }

    public static JsonObject Build(DcuSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var root = new JsonObject();
        foreach (var p in typeof(DcuSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.PropertyType == typeof(bool)) continue; // MqttConfigured: derived, not a key
            root[p.Name] = ToNode(p.Name, p.GetValue(settings), p.PropertyType);
        }
        return root;
    }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(BusOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(SimulatedLineOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(MeterOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(CollectionTaskOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(BoardLedsOptions))]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Option types are kept by DcuSettings' binding and the DynamicDependency attributes above.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above.")]
    private static JsonNode? ToNode(string name, object? value, Type type)
    {
        if (value is null) return null;
        if (IsSecret(name) && value is string or byte[]) return Mask;
        switch (value)
        {
            case string s: return s;
            case bool b: return b;
            case int i: return i;
            case long l: return l;
            case double d: return double.IsFinite(d) ? d : d.ToString(CultureInfo.InvariantCulture);
            case decimal m: return m;
            case TimeSpan t: return t.ToString("c", CultureInfo.InvariantCulture);
            case Enum e: return e.ToString();
            case DateTime or DateTimeOffset or Uri: return Convert.ToString(value, CultureInfo.InvariantCulture);
            case IDictionary dict:
                var map = new JsonObject();
                foreach (DictionaryEntry kv in dict)
                {
                    var key = Convert.ToString(kv.Key, CultureInfo.InvariantCulture) ?? "";
                    map[key] = ToNode(key, kv.Value, kv.Value?.GetType() ?? typeof(object));
                }
                return map;
            case IEnumerable list:
                var array = new JsonArray();
                foreach (var item in list) array.Add(ToNode(name, item, item?.GetType() ?? typeof(object)));
                return array;
        }
        if (IsSecret(name)) return Mask; // a secret of a type we do not know: never its value
        var obj = new JsonObject();
        foreach (var p in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // Configuration keys are the settable properties (and lists); computed ones (EffectivePort) are not keys.
            if (p.GetIndexParameters().Length > 0 || (p.SetMethod is null && !typeof(IList).IsAssignableFrom(p.PropertyType))) continue;
            obj[p.Name] = ToNode(p.Name, p.GetValue(value), p.PropertyType);
        }
        return obj;
    }
}
