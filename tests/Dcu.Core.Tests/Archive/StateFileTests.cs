using Dcu.Core.Archive;
using Dcu.Core.Collection;

namespace Dcu.Core.Tests.Archive;

public sealed class StateFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dcu-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Meters_and_tasks_round_trip()
    {
        var files = new CollectionStateFiles(_dir);
        Assert.Null(files.LoadMeters());
        Assert.Null(files.LoadTasks());
        MeterEntry[] meters =
        [
            new() { Id = "a", Bus = "rs485-1", Address = "7", Profile = "eastron-sdm120", Turnaround = TimeSpan.FromMilliseconds(50) },
            new() { Id = "p", Bus = "plc-1", Address = "000000000042" },
        ];
        var task = new CollectionTaskOptions { Name = "energy", Interval = TimeSpan.FromMinutes(15), Offset = TimeSpan.FromMinutes(2), Meters = ["a"], Quantities = ["1.0.1.8.0"] };

        files.SaveMeters(meters);
        files.SaveTasks([task]);
        var again = new CollectionStateFiles(_dir); // as after a restart

        Assert.Equal(meters, again.LoadMeters());
        var t = Assert.Single(again.LoadTasks()!);
        Assert.Equal((task.Name, task.Interval, task.Offset, "a", "1.0.1.8.0"), (t.Name, t.Interval, t.Offset, Assert.Single(t.Meters), Assert.Single(t.Quantities)));
        Assert.Contains("\"Interval\": \"00:15:00\"", File.ReadAllText(files.TasksPath)); // the configuration file's format
        Assert.False(File.Exists(files.MetersPath + ".tmp"));
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_whole()
    {
        var files = new CollectionStateFiles(_dir);
        files.SaveMeters([new MeterEntry { Id = "a", Bus = "b", Address = "1" }]);
        var before = File.ReadAllBytes(files.MetersPath);
        Directory.CreateDirectory(files.MetersPath + ".tmp"); // the temporary file cannot be created

        var ex = Assert.ThrowsAny<Exception>(() => files.SaveMeters([new MeterEntry { Id = "b", Bus = "b", Address = "2" }]));
        Assert.True(ex is IOException or UnauthorizedAccessException, ex.GetType().Name);

        Assert.Equal(before, File.ReadAllBytes(files.MetersPath));
        Assert.Equal("a", Assert.Single(files.LoadMeters()!).Id);
    }

    [Fact]
    public void A_stale_temporary_file_is_overwritten_and_never_read()
    {
        var files = new CollectionStateFiles(_dir);
        Directory.CreateDirectory(_dir);
        File.WriteAllText(files.MetersPath + ".tmp", "{ half a fi");

        files.SaveMeters([new MeterEntry { Id = "a", Bus = "b", Address = "1" }]);

        Assert.Equal("a", Assert.Single(files.LoadMeters()!).Id);
        Assert.False(File.Exists(files.MetersPath + ".tmp"));
    }

    [Theory]
    [InlineData("{ \"Version\": 1, \"Meters\": [ { \"Id\": \"a\", \"Bus\": \"b\", \"Adress\": \"1\" } ] }", "Adress")]
    [InlineData("{ \"Version\": 2, \"Meters\": [] }", "Version 2 is not supported")]
    [InlineData("{ \"Version\": 1 }", "Meters is missing")]
    [InlineData("{ \"Version\": 1, \"Meters\": [ null ] }", "Meters:0 is null")]
    [InlineData("{ \"Version\": 1, \"Meters\": [ ", "not valid")]
    [InlineData("null", "null")]
    public void A_bad_file_is_refused_naming_the_file_and_the_problem(string content, string problem)
    {
        var files = new CollectionStateFiles(_dir);
        Directory.CreateDirectory(_dir);
        File.WriteAllText(files.MetersPath, content);

        var ex = Assert.Throws<InvalidDataException>(() => files.LoadMeters());

        Assert.StartsWith(files.MetersPath + ":", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void Comments_and_trailing_commas_of_a_hand_edit_are_accepted()
    {
        var files = new CollectionStateFiles(_dir);
        Directory.CreateDirectory(_dir);
        File.WriteAllText(files.TasksPath, "{ // edited on site\n \"Version\": 1, \"Tasks\": [ { \"Name\": \"t\", \"Interval\": \"00:05:00\" }, ], }");

        Assert.Equal(TimeSpan.FromMinutes(5), Assert.Single(files.LoadTasks()!).Interval);
    }
}
