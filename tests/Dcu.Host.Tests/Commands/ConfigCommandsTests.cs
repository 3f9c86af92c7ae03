using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcu.Core.Commands;
using Dcu.Host.Commands;
using Dcu.Host.Configuration;

namespace Dcu.Host.Tests.Commands;

public sealed class ConfigCommandsTests : IDisposable
{
    private const string MqttPassword = "hunter2-mqtt-pw";
    private const string SigningKey = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
    private readonly string _dir = Directory.CreateTempSubdirectory("dcu-config-cmd-").FullName;
    private readonly string _prefix = $"DCUTEST_{Guid.NewGuid():N}_";
    private readonly List<string> _variables = [];

    private string ConfigFile
    {
        get
        {
            var path = Path.Combine(_dir, "dcu.json");
            if (!File.Exists(path))
                File.WriteAllText(path, $$"""
                    {
                      "Dcu": { "Id": "dcu-t1", "DataDirectory": {{JsonSerializer.Serialize(Path.Combine(_dir, "data"))}}, "HeartbeatInterval": "00:01:00" },
                      "Publisher": { "BatchSize": 500 },
                      "Mqtt": { "Host": "broker.example.net", "Username": "dcu-t1", "Password": "{{MqttPassword}}" },
                      "Commands": { "SigningKey": "{{SigningKey}}" }
                    }
                    """);
            return path;
        }
    }

    private ConfigurationLayers Layers => new(null, ConfigFile, _prefix);

    private static IReadOnlyList<string> Validate(DcuSettings s) => SettingsValidator.Validate(s, null);

    private LoadedSettings Load() => SettingsLoader.Load(Layers, Validate);

    private void SetEnvironment(string key, string value)
    {
        var name = _prefix + key.Replace(":", "__", StringComparison.Ordinal);
        Environment.SetEnvironmentVariable(name, value);
        _variables.Add(name);
    }

    private static CommandRequest Request(string json) =>
        new("c-1", "config.set", 1, new CommandArgs(JsonDocument.Parse(json).RootElement.Clone()));

    private (ConfigSetHandler Handler, DcuSettings Running, RemoteConfiguration Remote, List<string> Applied) SetHandler()
    {
        var loaded = Load();
        Assert.Empty(loaded.Problems);
        var remote = new RemoteConfiguration(Layers, loaded.Overrides);
        var applied = new List<string>();
        var running = loaded.Settings;
        var live = new Dictionary<string, Action<DcuSettings>>
        {
            ["Dcu:HeartbeatInterval"] = next => { running.Dcu.HeartbeatInterval = next.Dcu.HeartbeatInterval; applied.Add("Dcu:HeartbeatInterval"); },
        };
        return (new ConfigSetHandler(running, remote, Validate, live), running, remote, applied);
    }

    [Theory]
    [InlineData("Password", true)]
    [InlineData("ClientKeyPassword", true)]
    [InlineData("RelayPassword", true)]
    [InlineData("SigningKey", true)]
    [InlineData("ApiToken", true)]
    [InlineData("ClientSecret", true)]
    [InlineData("ClientKeyPath", false)]
    [InlineData("KeepAlive", false)]
    [InlineData("Username", false)]
    [InlineData("Host", false)]
    public void The_masking_rule_goes_by_name(string name, bool secret) => Assert.Equal(secret, ConfigView.IsSecret(name));

    [Fact]
    public async Task Config_get_shows_the_effective_settings_with_every_secret_masked()
    {
        var loaded = Load();
        var remote = new RemoteConfiguration(Layers, new Dictionary<string, string> { ["Publisher:BatchSize"] = "200" });
        var handler = new ConfigGetHandler(loaded.Settings, remote);

        var outcome = await handler.ExecuteAsync(new CommandRequest("c-1", "config.get", 1, CommandArgs.Empty), CancellationToken.None);
        var text = outcome.Data!.ToJsonString();

        Assert.Equal(CommandStatus.Done, outcome.Status);
        Assert.DoesNotContain(MqttPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SigningKey, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(Convert.FromHexString(SigningKey)), text, StringComparison.Ordinal);
        var settings = outcome.Data["settings"]!;
        Assert.Equal("***", settings["Mqtt"]!["Password"]!.GetValue<string>());
        Assert.Equal("***", settings["Commands"]!["SigningKey"]!.GetValue<string>());
        Assert.Equal("dcu-t1", settings["Mqtt"]!["Username"]!.GetValue<string>());
        Assert.Null(settings["Mqtt"]!["ClientKeyPath"]);
        Assert.Equal("broker.example.net", settings["Mqtt"]!["Host"]!.GetValue<string>());
        Assert.Equal("00:01:00", settings["Dcu"]!["HeartbeatInterval"]!.GetValue<string>());
        Assert.Equal(1, settings["Collection"]!["Retries"]!.GetValue<int>()); // a default, not in the file
        Assert.Equal("200", outcome.Data["overrides"]!["Publisher:BatchSize"]!.GetValue<string>());
        Assert.Contains("Dcu:HeartbeatInterval", outcome.Data["remoteKeys"]!.AsArray().Select(k => k!.GetValue<string>()));
    }

    [Fact]
    public async Task Config_set_persists_applies_live_where_it_can_and_the_next_start_layers_it()
    {
        var (handler, running, _, applied) = SetHandler();

        var outcome = await handler.ExecuteAsync(Request("""{"changes":{"Dcu:HeartbeatInterval":"00:00:30","publisher:batchsize":200}}"""), CancellationToken.None);

        Assert.Equal(CommandStatus.Done, outcome.Status);
        var changes = outcome.Data!["changes"]!;
        Assert.Equal("now", changes["Dcu:HeartbeatInterval"]!["effect"]!.GetValue<string>());
        Assert.Equal("restart", changes["Publisher:BatchSize"]!["effect"]!.GetValue<string>());
        Assert.Equal("200", changes["Publisher:BatchSize"]!["value"]!.GetValue<string>());
        Assert.Equal(["Dcu:HeartbeatInterval"], applied);
        Assert.Equal(TimeSpan.FromSeconds(30), running.Dcu.HeartbeatInterval);
        Assert.Equal(500, running.Publisher.BatchSize);

        var file = JsonNode.Parse(File.ReadAllText(handler.OverridesPath))!;
        Assert.Equal("00:00:30", file["Dcu:HeartbeatInterval"]!.GetValue<string>());
        var next = Load();
        Assert.Null(next.Warning);
        Assert.Equal(TimeSpan.FromSeconds(30), next.Settings.Dcu.HeartbeatInterval);
        Assert.Equal(200, next.Settings.Publisher.BatchSize);
        Assert.Equal(2, next.Overrides.Count);

        // null removes an override: back to the file's value at the next start.
        var removed = await handler.ExecuteAsync(Request("""{"changes":{"Publisher:BatchSize":null}}"""), CancellationToken.None);
        Assert.Equal(CommandStatus.Done, removed.Status);
        Assert.Equal(500, Load().Settings.Publisher.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(30), Load().Settings.Dcu.HeartbeatInterval);
    }

    [Theory]
    [InlineData("""{"changes":{"Dcu:HeartbeatInterval":"00:00:30","Publisher:BatchSize":0}}""", "Publisher:BatchSize must be 1..10000")]
    [InlineData("""{"changes":{"Dcu:HeartbeatInterval":"soon"}}""", "Dcu:HeartbeatInterval")]
    [InlineData("""{"changes":{"Dcu:HeartbeatInterval":"00:00:30","Mqtt:Host":"evil.example"}}""", "args.changes.Mqtt:Host: this setting may not be changed remotely")]
    [InlineData("""{"changes":{"Commands:SigningKey":"00"}}""", "args.changes.Commands:SigningKey: this setting may not be changed remotely")]
    [InlineData("""{"changes":{"Collection:Retries":[1]}}""", "args.changes.Collection:Retries must be a string, number, boolean or null")]
    [InlineData("""{"changes":{"Collection:Retries":1,"collection:retries":2}}""", "args.changes.collection:retries is given twice")]
    [InlineData("""{"changes":{}}""", "args.changes must not be empty")]
    [InlineData("""{}""", "args.changes is required")]
    [InlineData("""{"changes":{"Collection:Retries":1},"dryRun":true}""", "args.dryRun is not a field")]
    [InlineData("""{"changes":{"Dcu:HeartbeatInterval":"2.00:00:00"}}""", "Dcu:HeartbeatInterval must be 1 s..1 day")]
    public async Task Config_set_is_all_or_nothing_and_names_the_key(string args, string reason)
    {
        var (handler, running, remote, applied) = SetHandler();

        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => handler.ExecuteAsync(Request(args), CancellationToken.None));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(handler.OverridesPath));
        Assert.Empty(applied);
        Assert.Empty(remote.Overrides);
        Assert.Equal(TimeSpan.FromMinutes(1), running.Dcu.HeartbeatInterval);
    }

    [Fact]
    public async Task A_key_set_by_the_environment_is_refused_and_the_environment_wins_at_start()
    {
        SetEnvironment("Publisher:BatchSize", "300");
        var (handler, _, _, _) = SetHandler();

        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => handler.ExecuteAsync(Request("""{"changes":{"Publisher:BatchSize":200}}"""), CancellationToken.None));
        Assert.Contains($"the environment variable {_prefix}Publisher__BatchSize sets it", ex.Message, StringComparison.Ordinal);

        // Even an override written before the variable was set loses to it.
        ConfigOverrides.Save(handler.OverridesPath, new Dictionary<string, string> { ["Publisher:BatchSize"] = "200", ["Collection:Retries"] = "3" });
        var loaded = Load();
        Assert.Equal(300, loaded.Settings.Publisher.BatchSize);
        Assert.Equal(3, loaded.Settings.Collection.Retries);
    }

    [Theory]
    [InlineData("""{"Publisher:BatchSize":"0"}""", "Publisher:BatchSize must be 1..10000")]
    [InlineData("""{"Mqtt:Host":"evil.example"}""", "'Mqtt:Host' may not be overridden")]
    [InlineData("""{"Publisher:BatchSize":""", "not valid JSON")]
    public void Overrides_that_would_break_the_start_are_ignored_with_a_warning(string content, string why)
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(ConfigOverrides.PathIn(data), content);

        var loaded = Load();

        Assert.Empty(loaded.Problems);
        Assert.Contains(why, loaded.Warning, StringComparison.Ordinal);
        Assert.Empty(loaded.Overrides);
        Assert.Equal(500, loaded.Settings.Publisher.BatchSize);
    }

    public void Dispose()
    {
        foreach (var v in _variables) Environment.SetEnvironmentVariable(v, null);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
