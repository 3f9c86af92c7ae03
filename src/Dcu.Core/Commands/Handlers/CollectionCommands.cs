using Dcu.Core.Archive;

namespace Dcu.Core.Commands.Handlers;

/// <summary>The handlers of the collection commands, for the dispatcher: read, tasks.*, meters.*.</summary>
public static class CollectionCommands
{
    public static IReadOnlyList<ICommandHandler> Create(MeterArchive archive, TaskBook tasks)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(tasks);
        return
        [
            new ReadHandler(archive.Scheduler),
            new TasksListHandler(tasks),
            new TasksAddHandler(tasks),
            new TasksReplaceHandler(tasks),
            new TasksDeleteHandler(tasks),
            new MetersListHandler(archive),
            MetersWriteHandler.Add(archive),
            MetersWriteHandler.Update(archive),
            new MetersRemoveHandler(archive),
        ];
    }
}
