using Dcu.Core.Archive;
using Dcu.Core.Collection;

namespace Dcu.Core.Commands.Handlers;

/// <summary>
/// A task in command args: name (string), meters (ids; absent = every meter), quantities (OBIS codes;
/// absent = everything each meter's profile has), interval (whole seconds dividing 86400, e.g. 900),
/// offset (whole seconds, 0 &lt;= offset &lt; interval; default 0). Validated with the configuration's rules.
/// </summary>
internal static class TaskArgs
{
    public static readonly FieldNamer Fields = FieldNames.Args("args");

    public static CollectionTaskOptions Read(CommandArgs args)
    {
        args.RejectUnknown("name", "meters", "quantities", "interval", "offset");
        return new CollectionTaskOptions
        {
            Name = args.RequiredString("name", 64),
            Meters = [.. args.OptionalStrings("meters") ?? []],
            Quantities = [.. args.OptionalStrings("quantities", 256) ?? []],
            Interval = TimeSpan.FromSeconds(args.RequiredInt64("interval", 1, 86_400)),
            Offset = TimeSpan.FromSeconds(args.OptionalInt64("offset", 0, 86_399) ?? 0),
        };
    }

    public static System.Text.Json.Nodes.JsonObject ToJson(CollectionTaskOptions t, TaskScheduleSnapshot? schedule)
    {
        var o = new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = t.Name,
            ["meters"] = new System.Text.Json.Nodes.JsonArray([.. t.Meters.Select(m => (System.Text.Json.Nodes.JsonNode?)m)]),
            ["quantities"] = new System.Text.Json.Nodes.JsonArray([.. t.Quantities.Select(q => (System.Text.Json.Nodes.JsonNode?)q)]),
            ["interval"] = ArgsObjects.Seconds(t.Interval),
            ["offset"] = ArgsObjects.Seconds(t.Offset),
        };
        if (schedule?.NextDueUnixMs is { } next) o["nextDue"] = next;
        if (schedule?.LastIntervalUnixMs is { } last) o["lastInterval"] = last;
        return o;
    }
}
