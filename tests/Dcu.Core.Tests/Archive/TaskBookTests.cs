using Dcu.Core.Archive;
using Dcu.Core.Collection;
using static Dcu.Core.Tests.Archive.ArchiveRig;

namespace Dcu.Core.Tests.Archive;

public sealed class TaskBookTests
{
    private static readonly FieldNamer Args = FieldNames.Args("args");

    private static CollectionTaskOptions Task(string name, int minutes = 15, params string[] meters) =>
        new() { Name = name, Interval = TimeSpan.FromMinutes(minutes), Meters = [.. meters], Quantities = ["1.0.1.8.0"] };

    [Fact]
    public async Task Added_replaced_and_deleted_tasks_reach_the_scheduler_and_the_file()
    {
        await using var rig = new ArchiveRig(new CollectionOptions { Tasks = [Task("energy")] }, Modbus("a", "1"));

        await rig.Tasks.AddAsync(Task("voltage", 5, "a"), Args, CancellationToken.None);
        Assert.Equal(["energy", "voltage"], rig.Files.LoadTasks()!.Select(t => t.Name));
        await rig.Tasks.ReplaceAsync(Task("energy", 30), Args, CancellationToken.None);
        Assert.Equal(TimeSpan.FromMinutes(30), rig.Rig.Scheduler.FindTask("energy")!.Interval);
        Assert.Equal(TimeSpan.FromMinutes(30), rig.Files.LoadTasks()![0].Interval);
        await rig.Tasks.DeleteAsync("voltage", "args.name", CancellationToken.None);

        Assert.Equal(["energy"], rig.Rig.Scheduler.Tasks.Select(t => t.Name));
        Assert.Equal(["energy"], rig.Files.LoadTasks()!.Select(t => t.Name));
        Assert.Equal(["energy"], rig.Tasks.List().Select(t => t.Name));
        // Collection quality (the archive's observer) hears of each change: a replace is the new definition taking over.
        Assert.Equal(["+task voltage 5min", "+task energy 30min", "-task voltage"], rig.Observer.Seen.Where(s => s.Contains("task", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Every_problem_is_named_and_nothing_is_applied()
    {
        await using var rig = new ArchiveRig(new CollectionOptions { Tasks = [Task("energy")] }, Modbus("a", "1"));
        var bad = new CollectionTaskOptions { Name = "energy", Interval = TimeSpan.FromMinutes(7), Quantities = ["1.0.1.8.0", "volts"], Meters = ["a", "ghost"] };

        var ex = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() => rig.Tasks.AddAsync(bad, Args, CancellationToken.None));

        Assert.Equal(
        [
            "args.interval must divide 24 h (a whole number of ms, 0 < interval <= 1 day; got 00:07:00)",
            "args.quantities[1] 'volts' is not an OBIS code A.B.C.D.E",
            "args.name 'energy' is already a task (tasks.replace changes it)",
            "args.meters[1] 'ghost' is not in the archive",
        ], ex.Problems);
        var offset = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() =>
            rig.Tasks.ReplaceAsync(new CollectionTaskOptions { Name = "energy", Interval = TimeSpan.FromMinutes(15), Offset = TimeSpan.FromMinutes(15) }, Args, CancellationToken.None));
        Assert.Equal(["args.offset must be at least 0 and less than the interval (got 00:15:00)"], offset.Problems);
        var missing = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() => rig.Tasks.ReplaceAsync(Task("nope"), Args, CancellationToken.None));
        Assert.Equal(["args.name 'nope' is not a task (tasks.add adds it)"], missing.Problems);
        var delete = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() => rig.Tasks.DeleteAsync("nope", "args.name", CancellationToken.None));
        Assert.Equal(["args.name 'nope' is not a task"], delete.Problems);

        var task = Assert.Single(rig.Rig.Scheduler.Tasks);
        Assert.Equal(TimeSpan.FromMinutes(15), task.Interval);
        Assert.False(File.Exists(rig.Files.TasksPath));
    }
}
