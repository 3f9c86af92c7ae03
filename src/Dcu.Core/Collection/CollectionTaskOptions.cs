namespace Dcu.Core.Collection;

/// <summary>A collection task as it is written in configuration ("Collection:Tasks:N").</summary>
public sealed class CollectionTaskOptions
{
    public string Name { get; set; } = "";

    /// <summary>Meter ids; empty = all meters.</summary>
    public List<string> Meters { get; set; } = [];

    /// <summary>OBIS codes "A.B.C.D.E"; empty = all quantities of each meter's profile.</summary>
    public List<string> Quantities { get; set; } = [];

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan Offset { get; set; } = TimeSpan.Zero;
}
