using Dcu.Core.Collection;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Archive;

/// <summary>
/// The one way to change the collection tasks at runtime: validated with the rules of the
/// configuration file's Collection:Tasks (and every meter a task names must be in the archive), refused
/// whole with every problem naming its field, or written to tasks.json first (a failed write applies
/// nothing) and then handed to the scheduler, which uses it from the task's next boundary.
/// Serialized with archive changes (<see cref="MeterArchive"/>'s gate).
/// </summary>
public sealed class TaskBook(MeterArchive archive, CollectionStateFiles? files, ILogger<TaskBook> logger)
{
    private readonly CollectionScheduler _scheduler = (archive ?? throw new ArgumentNullException(nameof(archive))).Scheduler;

    /// <summary>The tasks now, as they are written down.</summary>
    public IReadOnlyList<CollectionTaskOptions> List() => _scheduler.Tasks.Select(CollectionTaskOptions.From).ToArray();

    /// <summary>Where each task stands (next due, last interval queued).</summary>
    public IReadOnlyList<TaskScheduleSnapshot> Schedule() => _scheduler.Schedule();

    public Task AddAsync(CollectionTaskOptions task, FieldNamer field, CancellationToken cancellationToken) =>
        ChangeAsync(task, field, adding: true, cancellationToken);

    public Task ReplaceAsync(CollectionTaskOptions task, FieldNamer field, CancellationToken cancellationToken) =>
        ChangeAsync(task, field, adding: false, cancellationToken);

    /// <summary>Deletes the task named <paramref name="name"/>; <paramref name="field"/> names the name's field in problems.</summary>
    public async Task DeleteAsync(string name, string field, CancellationToken cancellationToken)
    {
        await archive.Gate.WaitAsync(cancellationToken);
        try
        {
            if (_scheduler.FindTask(name) is null) throw new CollectionChangeRejectedException([$"{field} '{name}' is not a task"]);
            Save(_scheduler.Tasks.Where(t => t.Name != name).Select(CollectionTaskOptions.From));
            _scheduler.DeleteTask(name);
            archive.Observer?.TaskRemoved(name, archive.NowUnixMs);
            logger.LogInformation("Collection task {Task} deleted by command", name);
        }
        finally
        {
            archive.Gate.Release();
        }
    }

    private async Task ChangeAsync(CollectionTaskOptions task, FieldNamer field, bool adding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        await archive.Gate.WaitAsync(cancellationToken);
        try
        {
            var problems = new List<string>();
            task.Validate(field, problems);
            var exists = _scheduler.FindTask(task.Name) is not null;
            if (!string.IsNullOrWhiteSpace(task.Name))
            {
                if (adding && exists) problems.Add($"{field("Name")} '{task.Name}' is already a task (tasks.replace changes it)");
                if (!adding && !exists) problems.Add($"{field("Name")} '{task.Name}' is not a task (tasks.add adds it)");
            }
            for (var m = 0; m < (task.Meters?.Count ?? 0); m++)
                if (task.Meters![m] is { Length: > 0 } id && !archive.Contains(id))
                    problems.Add($"{field("Meters", m)} '{id}' is not in the archive");
            if (problems.Count > 0) throw new CollectionChangeRejectedException(problems);

            var model = task.ToTask();
            var tasks = _scheduler.Tasks.Select(CollectionTaskOptions.From).ToList();
            if (adding) tasks.Add(task);
            else tasks[tasks.FindIndex(t => t.Name == task.Name)] = task;
            Save(tasks);
            if (adding) _scheduler.AddTask(model);
            else _scheduler.ReplaceTask(model);
            archive.Observer?.TaskAdded(model, archive.NowUnixMs); // a replaced task's old definition ends there
            logger.LogInformation("Collection task {Task} {Change} by command", task.Name, adding ? "added" : "replaced");
        }
        finally
        {
            archive.Gate.Release();
        }
    }

    private void Save(IEnumerable<CollectionTaskOptions> tasks) => files?.SaveTasks(tasks);
}
