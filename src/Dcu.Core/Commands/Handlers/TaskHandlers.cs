using System.Text.Json.Nodes;
using Dcu.Core.Archive;

namespace Dcu.Core.Commands.Handlers;

/// <summary>"tasks.list": every collection task (interval and offset in seconds) with its next due time and last interval queued (Unix ms).</summary>
public sealed class TasksListHandler(TaskBook tasks) : ICommandHandler
{
    public string Name => "tasks.list";

    public bool Destructive => false;

    public Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        request.Args.RejectUnknown();
        var schedule = tasks.Schedule().ToDictionary(s => s.Task, StringComparer.Ordinal);
        var list = new JsonArray([.. tasks.List().Select(t => (JsonNode?)TaskArgs.ToJson(t, schedule.GetValueOrDefault(t.Name)))]);
        return Task.FromResult(CommandOutcome.Done(new JsonObject { ["tasks"] = list }));
    }
}

/// <summary>"tasks.add": a new task (see <see cref="TaskArgs"/>), first due at its next boundary; persisted.</summary>
public sealed class TasksAddHandler(TaskBook tasks) : ICommandHandler
{
    public string Name => "tasks.add";

    public bool Destructive => false;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        var task = TaskArgs.Read(request.Args);
        await ArgsObjects.ChangeAsync(async () => { await tasks.AddAsync(task, TaskArgs.Fields, cancellationToken); return 0; });
        return CommandOutcome.Done(new JsonObject { ["task"] = TaskArgs.ToJson(task, null) });
    }
}

/// <summary>"tasks.replace": a task's whole new definition (see <see cref="TaskArgs"/>), used from its next boundary; persisted.</summary>
public sealed class TasksReplaceHandler(TaskBook tasks) : ICommandHandler
{
    public string Name => "tasks.replace";

    public bool Destructive => true;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        var task = TaskArgs.Read(request.Args);
        await ArgsObjects.ChangeAsync(async () => { await tasks.ReplaceAsync(task, TaskArgs.Fields, cancellationToken); return 0; });
        return CommandOutcome.Done(new JsonObject { ["task"] = TaskArgs.ToJson(task, null) });
    }
}

/// <summary>"tasks.delete": args.name; nothing more is queued for the task (jobs already queued still run); persisted.</summary>
public sealed class TasksDeleteHandler(TaskBook tasks) : ICommandHandler
{
    public string Name => "tasks.delete";

    public bool Destructive => true;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        request.Args.RejectUnknown("name");
        var name = request.Args.RequiredString("name", 64);
        await ArgsObjects.ChangeAsync(async () => { await tasks.DeleteAsync(name, "args.name", cancellationToken); return 0; });
        return CommandOutcome.Done(new JsonObject { ["deleted"] = name });
    }
}
