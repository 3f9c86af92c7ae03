using System.Text.Json.Nodes;
using Dcu.Core.Commands;
using Dcu.Host.Configuration;

namespace Dcu.Host.Commands;

/// <summary>
/// "config.get": the running configuration with defaults filled in and secrets masked
/// (<see cref="ConfigView"/>), the overrides set by config.set (what the next start layers over the file),
/// and the keys config.set accepts. Result data: <c>{"settings":{..},"overrides":{..},"remoteKeys":[..]}</c>.
/// </summary>
public sealed class ConfigGetHandler(DcuSettings settings, RemoteConfiguration remote) : ICommandHandler
{
    public string Name => "config.get";

    public bool Destructive => false;

    public Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Args.RejectUnknown();
        var overrides = new JsonObject();
        foreach (var (key, value) in remote.Overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            overrides[key] = ConfigView.IsSecret(key) ? ConfigView.Mask : value;
        var keys = new JsonArray();
        foreach (var k in RemoteConfigKeys.All) keys.Add((JsonNode)k); // the JsonNode overload: Add<T> is not trim/AOT safe
        return Task.FromResult(CommandOutcome.Done(new JsonObject
        {
            ["settings"] = ConfigView.Build(settings),
            ["overrides"] = overrides,
            ["remoteKeys"] = keys,
        }));
    }
}
