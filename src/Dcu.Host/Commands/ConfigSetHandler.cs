using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcu.Core.Commands;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Host.Commands;

/// <summary>
/// "config.set" (destructive): <c>{"changes":{"Section:Key":value,...}}</c> for keys of
/// <see cref="RemoteConfigKeys"/>; a value is a string, number or boolean as in the config file, null removes
/// the override (back to the file's value). All or nothing: the whole configuration the next start would
/// run with (file, overrides with these changes, environment) is bound and validated first, and a
/// change is refused naming the key when it does not bind, breaks a rule, or is set by an environment
/// variable (which would win). Accepted changes are persisted atomically in config-overrides.json;
/// those with a live applier take effect at once ("now"), the others at the next start ("restart").
/// Result data: <c>{"changes":{"Dcu:HeartbeatInterval":{"value":"00:00:30","effect":"now"},..}}</c>.
/// </summary>
public sealed class ConfigSetHandler : ICommandHandler
{
    public const int MaxChanges = 32;

    private readonly DcuSettings _running;
    private readonly RemoteConfiguration _remote;
    private readonly Func<DcuSettings, IReadOnlyList<string>> _validate;
    private readonly IReadOnlyDictionary<string, Action<DcuSettings>> _live;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="running">The settings the DCU runs with (live appliers update them too).</param>
    /// <param name="validate">Usually <c>s => SettingsValidator.Validate(s, profiles)</c>.</param>
    /// <param name="live">Per key, how to apply the new settings to the running DCU; keys without one take effect at restart.</param>
    public ConfigSetHandler(DcuSettings running, RemoteConfiguration remote, Func<DcuSettings, IReadOnlyList<string>> validate,
        IReadOnlyDictionary<string, Action<DcuSettings>>? live = null, ILogger<ConfigSetHandler>? logger = null)
    {
        _running = running;
        _remote = remote;
        _validate = validate;
        _live = live ?? new Dictionary<string, Action<DcuSettings>>();
        foreach (var key in _live.Keys)
            if (RemoteConfigKeys.Canonical(key) is null) throw new ArgumentException($"'{key}' is not a remote configuration key", nameof(live));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => "config.set";

    public bool Destructive => true;

    public string OverridesPath => ConfigOverrides.PathIn(_running.Dcu.DataDirectory);

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Args.RejectUnknown("changes");
        var changes = ParseChanges(request.Args);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var candidate = new Dictionary<string, string>(_remote.Overrides, StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in changes)
            {
                if (value is null) candidate.Remove(key);
                else candidate[key] = value;
            }

            // Problems the configuration already has (a certificate file gone since start) are not this change's fault.
            var before = TryBind(_remote.Overrides, out _, out var baseline) ? _validate(baseline!) : [];
            if (!TryBind(candidate, out var error, out var next)) throw new CommandRejectedException($"not applied: {error}");
            var problems = _validate(next!).Except(before, StringComparer.Ordinal).ToList();
            if (problems.Count > 0) throw new CommandRejectedException($"not applied: {string.Join("; ", problems)}");

            try
            {
                ConfigOverrides.Save(OverridesPath, candidate);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CommandFailedException($"not applied: {OverridesPath} cannot be written ({ex.Message})");
            }
            _remote.Overrides = candidate;

            var result = new JsonObject();
            foreach (var (key, value) in changes)
            {
                var effect = "restart";
                if (_live.TryGetValue(key, out var apply))
                {
                    try
                    {
                        apply(next!);
                        effect = "now";
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                    {
                        _logger.LogWarning(ex, "config.set: {Key} could not be applied live; it takes effect at the next start", key);
                    }
                }
                result[key] = new JsonObject { ["value"] = value, ["effect"] = effect };
            }
            _logger.LogInformation("config.set {Id}: {Changes} persisted in {Path}", request.Id,
                string.Join(", ", changes.Select(c => $"{c.Key}={c.Value ?? "(file value)"}")), OverridesPath);
            return CommandOutcome.Done(new JsonObject { ["changes"] = result });
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<(string Key, string? Value)> ParseChanges(CommandArgs args)
    {
        var obj = args.OptionalObject("changes")?.Raw ?? throw new CommandRejectedException("args.changes is required (an object of \"Section:Key\": value)");
        var list = new List<(string, string?)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in obj.EnumerateObject())
        {
            var field = $"args.changes.{p.Name}";
            var key = RemoteConfigKeys.Canonical(p.Name)
                ?? throw new CommandRejectedException($"{field}: this setting may not be changed remotely (allowed: {string.Join(", ", RemoteConfigKeys.All)})");
            if (!seen.Add(key)) throw new CommandRejectedException($"{field} is given twice");
            string? value = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number => p.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => throw new CommandRejectedException($"{field} must be a string, number, boolean or null"),
            };
            if (_remote.Layers.EnvironmentVariableFor(key) is { } variable)
                throw new CommandRejectedException($"{field}: not applied, the environment variable {variable} sets it and wins over remote changes");
            list.Add((key, value));
        }
        if (list.Count == 0) throw new CommandRejectedException("args.changes must not be empty");
        if (list.Count > MaxChanges) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.changes has {list.Count} entries, at most {MaxChanges} allowed"));
        return list;
    }

    private bool TryBind(IReadOnlyDictionary<string, string> overrides, out string? error, out DcuSettings? settings)
    {
        try
        {
            var configuration = _remote.Layers.Build(overrides);
            settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or InvalidDataException or IOException)
        {
            settings = null;
            error = ex.Message;
            return false;
        }
    }
}
