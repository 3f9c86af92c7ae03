using System.Globalization;
using System.Text.Json;
using Dcu.Core.Model;
using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Profiles;

/// <summary>
/// Loads meter profiles from JSON (format: <c>hardware/meter-profiles/README.md</c>). Strict: an
/// unknown field, a missing required field or a bad value is a <see cref="MeterProfileException"/>
/// naming the file and the field, so a typo in a profile stops the DCU at start-up rather than
/// silently dropping a quantity.
/// </summary>
public static class MeterProfileLoader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly string[] ProfileFields = ["name", "manufacturer", "model", "description", "registers", "relay"];
    private static readonly string[] RelayFields = ["description", "write", "state"];
    private static readonly string[] RelayWriteFields = ["function", "address", "disconnect", "connect"];
    private static readonly string[] RelayStateFields = ["function", "address", "connectedValue", "disconnectedValue"];
    private static readonly string[] EntryFields = ["obis", "address", "function", "type", "wordOrder", "scale", "unit", "description"];

    /// <summary>Loads every <c>*.json</c> in <paramref name="directory"/>, keyed by profile name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, MeterProfile> LoadDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Meter profile directory '{directory}' does not exist");
        var profiles = new Dictionary<string, MeterProfile>(StringComparer.OrdinalIgnoreCase);
        var sources = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var profile = LoadFile(path);
            if (!profiles.TryAdd(profile.Name, profile))
                throw new MeterProfileException(Path.GetFileName(path), "name", $"profile '{profile.Name}' is already defined in '{sources[profile.Name]}'");
            sources[profile.Name] = Path.GetFileName(path);
        }
        return profiles;
    }

    public static MeterProfile LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try { json = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MeterProfileException(Path.GetFileName(path), "", $"cannot be read: {ex.Message}", ex);
        }
        return Parse(json, Path.GetFileName(path));
    }

    /// <summary>Parses one profile; <paramref name="source"/> names it in error messages.</summary>
    public static MeterProfile Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try { document = JsonDocument.Parse(json, DocumentOptions); }
        catch (JsonException ex)
        {
            throw new MeterProfileException(source, "", $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new MeterProfileException(source, "", "must be a JSON object");
            CheckFields(root, ProfileFields, "", source);

            var name = RequiredString(root, "name", "name", source);
            var manufacturer = OptionalString(root, "manufacturer", "manufacturer", source) ?? "";
            var model = OptionalString(root, "model", "model", source) ?? "";
            if (!root.TryGetProperty("registers", out var registers) || registers.ValueKind != JsonValueKind.Array)
                throw new MeterProfileException(source, "registers", "is required and must be an array");

            var entries = new List<RegisterMapEntry>();
            var seen = new Dictionary<ObisCode, int>();
            var index = 0;
            foreach (var element in registers.EnumerateArray())
            {
                var path = $"registers[{index}]";
                var entry = ParseEntry(element, path, source);
                if (seen.TryGetValue(entry.Obis, out var first))
                    throw new MeterProfileException(source, path + ".obis", $"{entry.Obis} is already mapped by registers[{first}]");
                seen[entry.Obis] = index;
                entries.Add(entry);
                index++;
            }
            if (entries.Count == 0) throw new MeterProfileException(source, "registers", "must map at least one quantity");
            var relay = root.TryGetProperty("relay", out var relayElement) && relayElement.ValueKind != JsonValueKind.Null ? ParseRelay(relayElement, source) : null;
            return new MeterProfile(name, manufacturer, model, entries, relay);
        }
    }

    private static RegisterMapEntry ParseEntry(JsonElement element, string path, string source)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new MeterProfileException(source, path, "must be an object");
        CheckFields(element, EntryFields, path + ".", source);

        var obisText = RequiredString(element, "obis", path + ".obis", source);
        if (!ObisCode.TryParse(obisText, out var obis))
            throw new MeterProfileException(source, path + ".obis", $"'{obisText}' is not an OBIS code A.B.C.D.E such as \"1.0.32.7.0\"");

        var address = ParseAddress(element, path + ".address", source);

        if (!element.TryGetProperty("function", out var fn) || fn.ValueKind != JsonValueKind.Number || !fn.TryGetInt32(out var fc) || fc is not (3 or 4))
            throw new MeterProfileException(source, path + ".function", "is required and must be 3 (holding registers) or 4 (input registers)");

        var typeText = RequiredString(element, "type", path + ".type", source);
        var type = ParseType(typeText) ?? throw new MeterProfileException(source, path + ".type",
            $"'{typeText}' is not one of float32, int16, uint16, int32, uint32, int64, uint64");

        var wordOrder = WordOrder.HighFirst;
        var orderText = OptionalString(element, "wordOrder", path + ".wordOrder", source);
        if (orderText is not null)
        {
            wordOrder = orderText switch
            {
                "high-first" => WordOrder.HighFirst,
                "low-first" => WordOrder.LowFirst,
                _ => throw new MeterProfileException(source, path + ".wordOrder", $"'{orderText}' is not \"high-first\" or \"low-first\""),
            };
        }

        var scale = 1.0;
        if (element.TryGetProperty("scale", out var scaleElement))
        {
            if (scaleElement.ValueKind != JsonValueKind.Number || !scaleElement.TryGetDouble(out scale) || !double.IsFinite(scale) || scale == 0)
                throw new MeterProfileException(source, path + ".scale", "must be a finite, non-zero number (multiplier, e.g. 0.1)");
        }

        // Required, but may be "" for dimensionless quantities (power factor).
        var unit = OptionalString(element, "unit", path + ".unit", source)
            ?? throw new MeterProfileException(source, path + ".unit", "is required (a string, \"\" for dimensionless quantities)");

        if (address + type.WordCount() > 0x10000)
            throw new MeterProfileException(source, path + ".address", $"0x{address:X4} + {type.WordCount()} registers runs past 0xFFFF");

        return new RegisterMapEntry(obis, (ushort)address, (ModbusFunction)fc, type, wordOrder, scale, unit);
    }

    /// <summary>
    /// "relay": {"write": {"function": 6|16, "address", "disconnect", "connect"}, "state": {"function": 3|4,
    /// "address", "connectedValue", "disconnectedValue"?}}. Coils (FC 05 / FC 01) are refused by name:
    /// the DCU's Modbus masters speak registers only.
    /// </summary>
    private static RelayMap ParseRelay(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new MeterProfileException(source, "relay", "must be an object with \"write\" and \"state\"");
        CheckFields(element, RelayFields, "relay.", source);
        if (!element.TryGetProperty("write", out var write) || write.ValueKind != JsonValueKind.Object)
            throw new MeterProfileException(source, "relay.write", "is required: {\"function\": 6, \"address\": ..., \"disconnect\": ..., \"connect\": ...}");
        if (!element.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.Object)
            throw new MeterProfileException(source, "relay.state", "is required: {\"function\": 3, \"address\": ..., \"connectedValue\": ...}");
        CheckFields(write, RelayWriteFields, "relay.write.", source);
        CheckFields(state, RelayStateFields, "relay.state.", source);

        var writeFunction = RelayFunction(write, "relay.write.function", source, [6, 16],
            "must be 6 (write single register) or 16 (write multiple registers); coils (5) are not supported by the DCU's Modbus masters");
        var stateFunction = RelayFunction(state, "relay.state.function", source, [3, 4],
            "must be 3 (holding) or 4 (input registers); coils and discrete inputs (1, 2) are not supported by the DCU's Modbus masters");
        var disconnect = Word(write, "disconnect", "relay.write.disconnect", source);
        var connect = Word(write, "connect", "relay.write.connect", source);
        if (disconnect == connect) throw new MeterProfileException(source, "relay.write.connect", "must differ from relay.write.disconnect");
        var connected = Word(state, "connectedValue", "relay.state.connectedValue", source);
        ushort? disconnected = state.TryGetProperty("disconnectedValue", out _) ? Word(state, "disconnectedValue", "relay.state.disconnectedValue", source) : null;
        if (disconnected == connected) throw new MeterProfileException(source, "relay.state.disconnectedValue", "must differ from relay.state.connectedValue");
        return new RelayMap((ModbusFunction)writeFunction, (ushort)ParseAddress(write, "relay.write.address", source), disconnect, connect,
            (ModbusFunction)stateFunction, (ushort)ParseAddress(state, "relay.state.address", source), connected, disconnected);
    }

    private static int RelayFunction(JsonElement element, string field, string source, int[] allowed, string message)
    {
        if (!element.TryGetProperty("function", out var fn) || fn.ValueKind != JsonValueKind.Number || !fn.TryGetInt32(out var code) || Array.IndexOf(allowed, code) < 0)
            throw new MeterProfileException(source, field, "is required and " + message);
        return code;
    }

    private static ushort Word(JsonElement element, string name, string field, string source) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n is >= 0 and <= 0xFFFF
            ? (ushort)n
            : throw new MeterProfileException(source, field, "is required and must be a register value 0..65535");

    private static int ParseAddress(JsonElement element, string field, string source)
    {
        if (!element.TryGetProperty("address", out var value))
            throw new MeterProfileException(source, field, "is required (0-based protocol address, number or \"0x0048\")");
        int address;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out address)) { }
        else if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text
                 && (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                     ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out address)
                     : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out address))) { }
        else throw new MeterProfileException(source, field, $"{value.GetRawText()} is not a register address (number or \"0x0048\")");
        if (address is < 0 or > 0xFFFF)
            throw new MeterProfileException(source, field, $"{address} is outside 0..65535");
        return address;
    }

    private static RegisterType? ParseType(string text) => text switch
    {
        "float32" => RegisterType.Float32,
        "int16" => RegisterType.Int16,
        "uint16" => RegisterType.UInt16,
        "int32" => RegisterType.Int32,
        "uint32" => RegisterType.UInt32,
        "int64" => RegisterType.Int64,
        "uint64" => RegisterType.UInt64,
        _ => null,
    };

    private static void CheckFields(JsonElement element, string[] allowed, string prefix, string source)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(allowed, property.Name) < 0)
                throw new MeterProfileException(source, prefix + property.Name, $"unknown field (allowed: {string.Join(", ", allowed)})");
        }
    }

    private static string RequiredString(JsonElement element, string name, string field, string source) =>
        OptionalString(element, name, field, source) is { Length: > 0 } text
            ? text
            : throw new MeterProfileException(source, field, "is required and must be a non-empty string");

    private static string? OptionalString(JsonElement element, string name, string field, string source)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new MeterProfileException(source, field, "must be a string");
        return value.GetString();
    }
}
