using System.Globalization;
using System.Text.Json;
using Dcu.Core.Model;

namespace Dcu.Core.Commands;

/// <summary>
/// Typed access to a command's "args" object. Every accessor throws <see cref="CommandRejectedException"/>
/// naming the field ("args.meters[2] must be a string") so a handler validates by reading its arguments,
/// before it acts. <see cref="RejectUnknown"/> refuses fields the command does not know (typos must not
/// silently do something else).
/// </summary>
public sealed class CommandArgs
{
    private readonly JsonElement _args;

    /// <param name="args">The parsed "args" value; it must outlive this object (clone it if its document is disposed).</param>
    public CommandArgs(JsonElement args)
    {
        if (args.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
            throw new CommandRejectedException("args must be a JSON object");
        _args = args;
    }

    public static CommandArgs Empty { get; } = new(default);

    /// <summary>The raw object (default when the command had no args).</summary>
    public JsonElement Raw => _args;

    public bool Has(string name) => TryGet(name, out _);

    /// <summary>Refuses any field not in <paramref name="known"/>.</summary>
    public void RejectUnknown(params ReadOnlySpan<string> known)
    {
        if (_args.ValueKind != JsonValueKind.Object) return;
        foreach (var p in _args.EnumerateObject())
        {
            var ok = false;
            foreach (var k in known) ok |= string.Equals(k, p.Name, StringComparison.Ordinal);
            if (!ok) throw new CommandRejectedException($"args.{p.Name} is not a field of this command (known: {(known.Length == 0 ? "none" : string.Join(", ", known.ToArray()))})");
        }
    }

    public string RequiredString(string name, int maxLength = 256) =>
        OptionalString(name, maxLength) ?? throw Missing(name, "a string");

    public string? OptionalString(string name, int maxLength = 256)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.String) throw Wrong(name, "a string", v);
        var s = v.GetString()!;
        if (s.Length == 0) throw new CommandRejectedException($"args.{name} must not be empty");
        if (s.Length > maxLength) throw new CommandRejectedException($"args.{name} is longer than {maxLength} characters");
        return s;
    }

    public long RequiredInt64(string name, long min, long max) =>
        OptionalInt64(name, min, max) ?? throw Missing(name, "an integer");

    public long? OptionalInt64(string name, long min, long max)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n)) throw Wrong(name, "an integer", v);
        if (n < min || n > max) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name} must be {min}..{max} (got {n})"));
        return n;
    }

    public double? OptionalDouble(string name, double min, double max)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number) throw Wrong(name, "a number", v);
        var d = v.GetDouble();
        if (!double.IsFinite(d) || d < min || d > max) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name} must be {min}..{max} (got {d})"));
        return d;
    }

    public bool? OptionalBool(string name)
    {
        if (!TryGet(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(name, "true or false", v),
        };
    }

    /// <summary>A string that must be one of <paramref name="allowed"/> (exact, case-sensitive).</summary>
    public string? OptionalChoice(string name, params ReadOnlySpan<string> allowed)
    {
        var s = OptionalString(name);
        if (s is null) return null;
        foreach (var a in allowed) if (string.Equals(a, s, StringComparison.Ordinal)) return s;
        throw new CommandRejectedException($"args.{name} must be one of {string.Join(", ", allowed.ToArray())} (got '{s}')");
    }

    /// <summary>A non-empty array of non-empty strings, at most <paramref name="maxCount"/>, no duplicates.</summary>
    public IReadOnlyList<string> RequiredStrings(string name, int maxCount = 10_000) =>
        OptionalStrings(name, maxCount) ?? throw Missing(name, "an array of strings");

    public IReadOnlyList<string>? OptionalStrings(string name, int maxCount = 10_000)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw Wrong(name, "an array of strings", v);
        var n = v.GetArrayLength();
        if (n == 0) throw new CommandRejectedException($"args.{name} must not be empty");
        if (n > maxCount) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name} has {n} entries, at most {maxCount} allowed"));
        var list = new List<string>(n);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String || e.GetString() is not { Length: > 0 } s)
                throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name}[{i}] must be a non-empty string"));
            if (!seen.Add(s)) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name}[{i}] '{s}' is listed twice"));
            list.Add(s);
            i++;
        }
        return list;
    }

    /// <summary>OBIS codes "A.B.C.D.E"; null when absent.</summary>
    public IReadOnlyList<ObisCode>? OptionalObisCodes(string name)
    {
        var strings = OptionalStrings(name, 256);
        if (strings is null) return null;
        var codes = new ObisCode[strings.Count];
        for (var i = 0; i < codes.Length; i++)
            if (!ObisCode.TryParse(strings[i], out codes[i]))
                throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name}[{i}] '{strings[i]}' is not an OBIS code A.B.C.D.E"));
        return codes;
    }

    /// <summary>A nested object, for commands that carry a record (a meter, a task).</summary>
    public CommandArgs? OptionalObject(string name)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Object) throw Wrong(name, "an object", v);
        return new CommandArgs(v);
    }

    private bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return _args.ValueKind == JsonValueKind.Object && _args.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private static CommandRejectedException Missing(string name, string what) => new($"args.{name} is required ({what})");

    private static CommandRejectedException Wrong(string name, string what, JsonElement got) =>
        new($"args.{name} must be {what} (got {got.ValueKind.ToString().ToLowerInvariant()})");
}
