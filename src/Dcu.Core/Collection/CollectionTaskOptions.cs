using Dcu.Core.Archive;
using Dcu.Core.Model;

namespace Dcu.Core.Collection;

/// <summary>A collection task as it is written in configuration ("Collection:Tasks:N"), in tasks.json and in the tasks.* commands.</summary>
public sealed class CollectionTaskOptions
{
    public string Name { get; set; } = "";

    /// <summary>Meter ids; empty = all meters.</summary>
    public List<string> Meters { get; set; } = [];

    /// <summary>OBIS codes "A.B.C.D.E"; empty = all quantities of each meter's profile.</summary>
    public List<string> Quantities { get; set; } = [];

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan Offset { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The rules of one task, whatever its source, each problem naming its field through <paramref name="field"/>.
    /// Name uniqueness and whether the meters are in the archive are checked by the caller.
    /// </summary>
    public void Validate(FieldNamer field, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(Name)) problems.Add($"{field("Name")} is required");
        if (!IntervalClock.IsValidInterval(Interval))
            problems.Add($"{field("Interval")} must divide 24 h (a whole number of ms, 0 < interval <= 1 day; got {Interval})");
        else if (!IntervalClock.IsValidOffset(Offset, Interval))
            problems.Add($"{field("Offset")} must be at least 0 and less than the interval (got {Offset})");
        if (Quantities is null) problems.Add($"{field("Quantities")} must be a list (empty = all)");
        else
            for (var q = 0; q < Quantities.Count; q++)
                if (!ObisCode.TryParse(Quantities[q], out _))
                    problems.Add($"{field("Quantities", q)} '{Quantities[q]}' is not an OBIS code A.B.C.D.E");
        if (Meters is null) problems.Add($"{field("Meters")} must be a list (empty = all)");
        else
            for (var m = 0; m < Meters.Count; m++)
                if (string.IsNullOrWhiteSpace(Meters[m]))
                    problems.Add($"{field("Meters", m)} is empty");
    }

    /// <summary>The model task; validate first (throws on an invalid one).</summary>
    public CollectionTask ToTask() => new(
        Name,
        Meters.Select(m => new MeterId(m)).ToArray(),
        Quantities.Select(ObisCode.Parse).ToArray(),
        Interval,
        Offset);

    public static CollectionTaskOptions From(CollectionTask task) => new()
    {
        Name = task.Name,
        Meters = task.Meters.Select(m => m.Value).ToList(),
        Quantities = task.Quantities.Select(q => q.ToString()).ToList(),
        Interval = task.Interval,
        Offset = task.Offset,
    };
}
