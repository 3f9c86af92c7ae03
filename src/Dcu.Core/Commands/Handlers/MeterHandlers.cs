using System.Text.Json.Nodes;
using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Core.Model;

namespace Dcu.Core.Commands.Handlers;

/// <summary>
/// A meter in command args: id, bus, address (Modbus unit "1".."247"; DL/T 645 / PLC 12 digits),
/// profile (Modbus register map; omit for DL/T 645), turnaround (whole milliseconds, default 0).
/// </summary>
internal static class MeterArgs
{
    public const int MaxMeters = 1000;

    public static MeterEntry Read(CommandArgs a)
    {
        a.RejectUnknown("id", "bus", "address", "profile", "turnaround");
        return new MeterEntry
        {
            Id = a.RequiredString("id", 64),
            Bus = a.RequiredString("bus", 64),
            Address = a.RequiredString("address", 32),
            Profile = a.OptionalString("profile", 128) ?? "",
            Turnaround = TimeSpan.FromMilliseconds(a.OptionalInt64("turnaround", 0, 10_000) ?? 0),
        };
    }

    public static JsonObject ToJson(MeterEntry e, MeterHealthSnapshot? health)
    {
        var o = new JsonObject { ["id"] = e.Id, ["bus"] = e.Bus, ["address"] = e.Address };
        if (e.Profile.Length > 0) o["profile"] = e.Profile;
        if (e.Turnaround > TimeSpan.Zero) o["turnaround"] = (long)e.Turnaround.TotalMilliseconds;
        if (health is not null) o["online"] = health.Online;
        return o;
    }

    /// <summary>The result of a change: the meters changed, and per bus with its own copy whether it is synced (verified) or will be retried.</summary>
    public static JsonObject Result(ArchiveChangeResult r)
    {
        var syncs = new JsonArray();
        foreach (var s in r.Syncs)
        {
            var o = new JsonObject { ["bus"] = s.Bus, ["verified"] = s.Verified };
            if (s.Error is not null) o["error"] = s.Error;
            if (s.RetryIn is { } retry) o["retryIn"] = ArgsObjects.Seconds(retry);
            syncs.Add((JsonNode)o);
        }
        return new JsonObject { ["meters"] = new JsonArray([.. r.Meters.Select(m => (JsonNode?)m)]), ["routeSync"] = syncs };
    }
}

/// <summary>"meters.list": the archive in order, with each meter's online state.</summary>
public sealed class MetersListHandler(MeterArchive archive) : ICommandHandler
{
    public string Name => "meters.list";

    public bool Destructive => false;

    public Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        request.Args.RejectUnknown();
        var health = archive.Scheduler.Health().ToDictionary(h => h.Meter);
        var list = new JsonArray([.. archive.Entries.Select(e => (JsonNode?)MeterArgs.ToJson(e, health.GetValueOrDefault(new MeterId(e.Id))))]);
        return Task.FromResult(CommandOutcome.Done(new JsonObject { ["meters"] = list }));
    }
}

/// <summary>
/// "meters.add" (<see cref="Add"/>) and "meters.update" (<see cref="Update"/>): args.meters[] whole entries
/// (see <see cref="MeterArgs"/>; an update matches by id), all validated first, applied together or not at all;
/// persisted; a PLC module's route table follows.
/// </summary>
public sealed class MetersWriteHandler : ICommandHandler
{
    private readonly Func<IReadOnlyList<MeterEntry>, CancellationToken, Task<ArchiveChangeResult>> _change;

    private MetersWriteHandler(string name, Func<IReadOnlyList<MeterEntry>, CancellationToken, Task<ArchiveChangeResult>> change)
    {
        Name = name;
        _change = change;
    }

    public static MetersWriteHandler Add(MeterArchive archive) => new("meters.add", (m, ct) => archive.AddAsync(m, "args.meters", ct));

    public static MetersWriteHandler Update(MeterArchive archive) => new("meters.update", (m, ct) => archive.UpdateAsync(m, "args.meters", ct));

    public string Name { get; }

    public bool Destructive => true;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        request.Args.RejectUnknown("meters");
        var meters = ArgsObjects.RequiredObjects(request.Args, "meters", MeterArgs.MaxMeters, MeterArgs.Read);
        var result = await ArgsObjects.ChangeAsync(() => _change(meters, cancellationToken));
        return CommandOutcome.Done(MeterArgs.Result(result));
    }
}

/// <summary>"meters.remove": args.meters[] ids; all or nothing (a meter a task names is refused); persisted; its queued jobs are dropped.</summary>
public sealed class MetersRemoveHandler(MeterArchive archive) : ICommandHandler
{
    public string Name => "meters.remove";

    public bool Destructive => true;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        request.Args.RejectUnknown("meters");
        var ids = request.Args.RequiredStrings("meters", MeterArgs.MaxMeters);
        var result = await ArgsObjects.ChangeAsync(() => archive.RemoveAsync(ids, "args.meters", cancellationToken));
        return CommandOutcome.Done(MeterArgs.Result(result));
    }
}
