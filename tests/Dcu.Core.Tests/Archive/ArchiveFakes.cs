using System.Collections.Concurrent;
using System.Globalization;
using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Core.Tests.Collection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Tests.Archive;

/// <summary>Buses rs485-1, rs485-2 (Modbus: unit 1..247, profile "test") and plc-1 (12 digits), as the Host's rules would say.</summary>
internal sealed class FakeEntryValidator : IMeterEntryValidator
{
    public MeterProtocol? Validate(MeterEntry entry, FieldNamer field, ICollection<string> problems)
    {
        switch (entry.Bus)
        {
            case "rs485-1" or "rs485-2":
                if (!byte.TryParse(entry.Address, NumberStyles.None, CultureInfo.InvariantCulture, out var unit) || unit is < 1 or > 247)
                    problems.Add($"{field("Address")} '{entry.Address}' must be a Modbus unit id 1..247");
                if (entry.Profile != "test") problems.Add($"{field("Profile")} '{entry.Profile}' is not a profile");
                return MeterProtocol.ModbusRtu;
            case "plc-1":
                if (entry.Address.Length != 12 || !entry.Address.All(char.IsAsciiDigit))
                    problems.Add($"{field("Address")} '{entry.Address}' must be 12 digits");
                return MeterProtocol.Plc;
            default:
                problems.Add($"{field("Bus")} '{entry.Bus}' is not a bus");
                return null;
        }
    }
}

/// <summary>A bus copy of the archive that records each sync; fails while <see cref="Fail"/> is set.</summary>
internal sealed class RecordingSync(string bus) : IBusArchiveSync
{
    public string Bus => bus;

    public ConcurrentQueue<string[]> Syncs { get; } = new();

    public Exception? Fail { get; set; }

    public Task<bool> SyncArchiveAsync(IReadOnlyList<Meter> meters, CancellationToken cancellationToken)
    {
        Syncs.Enqueue(meters.Select(m => m.Address).ToArray());
        return Fail is { } ex ? Task.FromException<bool>(ex) : Task.FromResult(true);
    }
}

internal sealed class RecordingArchiveObserver : IArchiveObserver
{
    public ConcurrentQueue<string> Seen { get; } = new();

    public void MeterAdded(MeterId meter, long sinceUnixMs) => Seen.Enqueue($"+{meter}@{sinceUnixMs}");

    public void MeterRemoved(MeterId meter) => Seen.Enqueue($"-{meter}");

    public void TaskAdded(CollectionTask task, long sinceUnixMs) => Seen.Enqueue($"+task {task.Name} {task.Interval.TotalMinutes}min");

    public void TaskRemoved(string name, long untilUnixMs) => Seen.Enqueue($"-task {name}");
}

/// <summary>A scheduler rig with an archive and a task book over it, persisted in a temporary directory.</summary>
internal sealed class ArchiveRig : IAsyncDisposable
{
    public ArchiveRig(CollectionOptions? options = null, params MeterEntry[] entries)
    {
        Directory.CreateDirectory(DataDirectory);
        Files = new CollectionStateFiles(DataDirectory);
        var validator = new FakeEntryValidator();
        var meters = entries.Select(e => new Meter(new MeterId(e.Id), e.Bus, validator.Validate(e, FieldNames.Config("x"), new List<string>())!.Value, e.Address, e.Profile)).ToArray();
        Rig = new SchedulerRig(options ?? new CollectionOptions(), ["rs485-1", "rs485-2", "plc-1"], meters);
        Archive = new MeterArchive(Rig.Scheduler, validator, entries, Files, [Sync], Observer, Rig.Time, NullLogger<MeterArchive>.Instance);
        Tasks = new TaskBook(Archive, Files, NullLogger<TaskBook>.Instance);
    }

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "dcu-archive-" + Guid.NewGuid().ToString("N"));

    public CollectionStateFiles Files { get; }

    public SchedulerRig Rig { get; }

    public RecordingSync Sync { get; } = new("plc-1");

    public RecordingArchiveObserver Observer { get; } = new();

    public MeterArchive Archive { get; }

    public TaskBook Tasks { get; }

    public BusWorker Worker(string bus) => Rig.Scheduler.FindWorker(bus)!;

    public static MeterEntry Modbus(string id, string address, string bus = "rs485-1") => new() { Id = id, Bus = bus, Address = address, Profile = "test" };

    public static MeterEntry Plc(string id, string address) => new() { Id = id, Bus = "plc-1", Address = address };

    public async ValueTask DisposeAsync()
    {
        await Rig.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
