using System.Globalization;
using System.Text.Json;
using Dcu.Core.Archive;

namespace Dcu.Core.Commands.Handlers;

/// <summary>Helpers the collection handlers share: lists of objects in args, and archive/task refusals as command refusals.</summary>
internal static class ArgsObjects
{
    /// <summary>
    /// A required non-empty array of objects "args.{name}", each read by <paramref name="read"/> through its own
    /// <see cref="CommandArgs"/>; a refusal inside names the element ("args.meters[2].address ...").
    /// </summary>
    public static IReadOnlyList<T> RequiredObjects<T>(CommandArgs args, string name, int maxCount, Func<CommandArgs, T> read)
    {
        if (args.Raw.ValueKind != JsonValueKind.Object || !args.Raw.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            throw new CommandRejectedException($"args.{name} is required (an array of objects)");
        if (v.ValueKind != JsonValueKind.Array) throw new CommandRejectedException($"args.{name} must be an array of objects (got {v.ValueKind.ToString().ToLowerInvariant()})");
        var n = v.GetArrayLength();
        if (n == 0) throw new CommandRejectedException($"args.{name} must not be empty");
        if (n > maxCount) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name} has {n} entries, at most {maxCount} allowed"));
        var list = new List<T>(n);
        var i = 0;
        foreach (var e in v.EnumerateArray())
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"args.{name}[{i}]");
            if (e.ValueKind != JsonValueKind.Object) throw new CommandRejectedException($"{prefix} must be an object");
            try
            {
                list.Add(read(new CommandArgs(e)));
            }
            catch (CommandRejectedException ex) when (ex.Message.StartsWith("args.", StringComparison.Ordinal))
            {
                throw new CommandRejectedException(prefix + ex.Message[4..]);
            }
            i++;
        }
        return list;
    }

    /// <summary>Runs an archive or task change, turning its refusal into the command's and a failed save into a failure that says nothing changed.</summary>
    public static async Task<T> ChangeAsync<T>(Func<Task<T>> change)
    {
        try
        {
            return await change();
        }
        catch (CollectionChangeRejectedException ex)
        {
            throw new CommandRejectedException(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"could not save the change, nothing was changed: {ex.Message}");
        }
    }

    public static long Seconds(TimeSpan t) => (long)t.TotalSeconds;
}
