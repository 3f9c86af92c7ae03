using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Host.Configuration;
using Dcu.Testing;

namespace Dcu.Host.Tests.Configuration;

/// <summary>meters.json / tasks.json in the data directory rule over the configuration file at start; a bad one stops the DCU naming it.</summary>
public sealed class PersistedCollectionTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-persisted-");

    private DcuSettings Settings() => new()
    {
        Dcu = { Id = "p", DataDirectory = _dir.FullName },
        Meters = [new MeterOptions { Id = "from-config", Bus = "rs485-1", Address = "1", Profile = "eastron-sdm630" }],
        Collection = { Tasks = [new CollectionTaskOptions { Name = "config-task" }] },
    };

    [Fact]
    public void Without_files_the_configuration_file_is_used()
    {
        var settings = Settings();

        var persisted = PersistedCollection.Apply(settings);

        Assert.Equal((null, null), (persisted.MetersFile, persisted.TasksFile));
        Assert.Equal("from-config", Assert.Single(settings.Meters).Id);
        Assert.Equal("config-task", Assert.Single(settings.Collection.Tasks).Name);
        Assert.Equal("Meters:0:Bus x", persisted.Describe("Meters:0:Bus x"));
    }

    [Fact]
    public void Persisted_files_rule_over_the_configuration_file()
    {
        var files = new CollectionStateFiles(_dir.FullName);
        files.SaveMeters([new MeterEntry { Id = "persisted", Bus = "rs485-1", Address = "2", Profile = "eastron-sdm120", Turnaround = TimeSpan.FromMilliseconds(20) }]);
        files.SaveTasks([new CollectionTaskOptions { Name = "persisted-task", Interval = TimeSpan.FromMinutes(5) }]);
        var settings = Settings();

        var persisted = PersistedCollection.Apply(settings);

        Assert.Equal((files.MetersPath, files.TasksPath), (persisted.MetersFile, persisted.TasksFile));
        var m = Assert.Single(settings.Meters);
        Assert.Equal(("persisted", "2", "eastron-sdm120", TimeSpan.FromMilliseconds(20)), (m.Id, m.Address, m.Profile, m.Turnaround));
        Assert.Equal(("persisted-task", TimeSpan.FromMinutes(5)), (settings.Collection.Tasks[0].Name, settings.Collection.Tasks[0].Interval));
        Assert.Equal($"{files.MetersPath}: Meters:0:Address x", persisted.Describe("Meters:0:Address x"));
        Assert.Equal($"{files.TasksPath}: Collection:Tasks:0:Interval x", persisted.Describe("Collection:Tasks:0:Interval x"));
        Assert.Equal("Mqtt:Port x", persisted.Describe("Mqtt:Port x"));
    }

    private async Task<string> WriteConfigAsync()
    {
        var path = Path.Combine(_dir.FullName, "dcu.json");
        await File.WriteAllTextAsync(path, $$"""
            {
              "Dcu": { "Id": "persist-test", "DataDirectory": "{{_dir.FullName}}" },
              "Buses": [ { "Name": "rs485-1", "Type": "SimulatedModbusRtu" } ],
              "Meters": [ { "Id": "from-config", "Bus": "rs485-1", "Address": "1", "Profile": "eastron-sdm630" } ],
              "Collection": { "Tasks": [ { "Name": "energy", "Interval": "00:15:00" } ] },
              "Mqtt": { "Host": "127.0.0.1", "Port": 1 }
            }
            """);
        return path;
    }

    [Fact]
    public async Task A_restart_collects_from_the_persisted_archive()
    {
        var config = await WriteConfigAsync();
        new CollectionStateFiles(_dir.FullName).SaveMeters(
        [
            new MeterEntry { Id = "added-1", Bus = "rs485-1", Address = "1", Profile = "eastron-sdm630" },
            new MeterEntry { Id = "added-2", Bus = "rs485-1", Address = "2", Profile = "eastron-sdm120" },
        ]);

        await using var dcu = DcuProcess.Start(null, "--config", config);

        await dcu.WaitForOutputAsync("Meter archive from " + Path.Combine(_dir.FullName, "meters.json"));
        await dcu.WaitForOutputAsync("collection tasks from the configuration file");
        await dcu.WaitForOutputAsync("2 meters (added-1@1 eastron-sdm630, added-2@2 eastron-sdm120)");
        Assert.DoesNotContain(dcu.Output, l => l.Contains("from-config", StringComparison.Ordinal));
        Assert.Equal(0, await dcu.StopAsync(ExitTimeout));
    }

    [Theory]
    [InlineData("""{ "Version": 1, "Meters": [ { "Id": "m", "Bus": "rs485-9", "Address": "1", "Profile": "eastron-sdm630" } ] }""", "meters.json: Meters:0:Bus 'rs485-9' is not in Buses")]
    [InlineData("""{ "Version": 1, "Meters": [ { "Id": "m", "Bus": "rs485-1", "Adress": "1" } ] }""", "meters.json: not valid")]
    public async Task A_bad_persisted_archive_stops_the_DCU_with_78_naming_the_file(string content, string message)
    {
        var config = await WriteConfigAsync();
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "meters.json"), content);

        await using var dcu = DcuProcess.Start(null, "--config", config);

        Assert.Equal(78, await dcu.WaitForExitAsync(ExitTimeout));
        await dcu.WaitForOutputAsync(Path.Combine(_dir.FullName, message));
    }

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); }
        catch (IOException) { }
    }
}
