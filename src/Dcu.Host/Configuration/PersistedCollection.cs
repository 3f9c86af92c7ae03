using Dcu.Core.Archive;

namespace Dcu.Host.Configuration;

/// <summary>
/// Where the meter archive and the collection tasks come from at start. A persisted file in the data
/// directory (meters.json, tasks.json: written by the meters.* / tasks.* commands) rules over the
/// configuration file's "Meters" / "Collection:Tasks"; without it the configuration file is used (and
/// seeds the file at the first change by command). A persisted file that cannot be read or does not
/// validate stops the DCU like a bad configuration file (exit 78), naming the file and the problem:
/// falling back to the configuration file instead would silently bring back meters the DCP removed
/// (or drop ones it added), and re-sync a PLC module's route table to that older list.
/// </summary>
public sealed record PersistedCollection(string? MetersFile, string? TasksFile)
{
    /// <summary>Loads the persisted files of <paramref name="settings"/>' data directory into it. Throws <see cref="InvalidDataException"/> naming the file.</summary>
    public static PersistedCollection Apply(DcuSettings settings)
    {
        var files = new CollectionStateFiles(settings.Dcu.DataDirectory);
        var meters = files.LoadMeters();
        var tasks = files.LoadTasks();
        if (meters is not null)
        {
            settings.Meters.Clear();
            settings.Meters.AddRange(meters.Select(m => new MeterOptions { Id = m.Id, Bus = m.Bus, Address = m.Address, Profile = m.Profile, Turnaround = m.Turnaround }));
        }
        if (tasks is not null) settings.Collection.Tasks = [.. tasks];
        return new PersistedCollection(meters is null ? null : files.MetersPath, tasks is null ? null : files.TasksPath);
    }

    /// <summary>A validation problem, prefixed with the persisted file it comes from ("/var/lib/dcu/meters.json: Meters:3:Address ...").</summary>
    public string Describe(string problem) =>
        MetersFile is not null && problem.StartsWith("Meters:", StringComparison.Ordinal) ? $"{MetersFile}: {problem}"
        : TasksFile is not null && problem.StartsWith("Collection:Tasks:", StringComparison.Ordinal) ? $"{TasksFile}: {problem}"
        : problem;

    /// <summary>For the start-up log.</summary>
    public string MetersSource => MetersFile is null ? "the configuration file (no meters.json yet; the first change by command writes it)" : MetersFile;

    public string TasksSource => TasksFile is null ? "the configuration file (no tasks.json yet; the first change by command writes it)" : TasksFile;
}
