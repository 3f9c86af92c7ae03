using System.Globalization;
using System.Text.Json.Nodes;
using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Commands.Handlers;

/// <summary>
/// "relay.disconnect", "relay.connect" (destructive) and "relay.state". Args: <c>{"meters":["m1",...]}</c>
/// (at most <see cref="RelayCommandOptions.MaxMeters"/>). Every meter must be in the archive and have a
/// relay the DCU can switch (<see cref="IMeterControl.SupportsRelay"/>): otherwise the command is
/// rejected before anything is sent to any meter. Each meter then gets the command and a read-back of
/// its relay, as one on-demand job of its bus; the result lists per meter the state read back. A
/// read-back that disagrees with the order (after <see cref="RelayCommandOptions.ReadBackAttempts"/>
/// reads), or a meter that refused or did not answer, fails the command with the same per-meter data.
/// </summary>
public sealed class RelayHandler : ICommandHandler
{
    public const string DisconnectName = "relay.disconnect";
    public const string ConnectName = "relay.connect";
    public const string StateName = "relay.state";

    private readonly RelayAction? _action;
    private readonly IMeterOperations _operations;
    private readonly RelayCommandOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private RelayHandler(string name, RelayAction? action, IMeterOperations operations, RelayCommandOptions? options, TimeProvider? time, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(operations);
        _options = options ?? new RelayCommandOptions();
        var problems = _options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        Name = name;
        _action = action;
        _operations = operations;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name { get; }

    public bool Destructive => _action is not null;

    public static RelayHandler Disconnect(IMeterOperations operations, RelayCommandOptions? options = null, TimeProvider? time = null, ILogger? logger = null) =>
        new(DisconnectName, RelayAction.Disconnect, operations, options, time, logger);

    public static RelayHandler Connect(IMeterOperations operations, RelayCommandOptions? options = null, TimeProvider? time = null, ILogger? logger = null) =>
        new(ConnectName, RelayAction.Connect, operations, options, time, logger);

    public static RelayHandler State(IMeterOperations operations, RelayCommandOptions? options = null, TimeProvider? time = null, ILogger? logger = null) =>
        new(StateName, null, operations, options, time, logger);

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Args.RejectUnknown("meters");
        var meters = ResolveMeters(request.Args, "meters", _operations, _options.MaxMeters, required: true)!;

        // Up front, nothing sent: a command that cannot be carried out on every meter is refused whole.
        var support = await Task.WhenAll(meters.Select(m => _operations.RunOnMeterAsync(m.Id,
            (meter, control, _) => Task.FromResult(control is not null && control.SupportsRelay(meter)), cancellationToken))).ConfigureAwait(false);
        var unsupported = meters.Where((_, i) => !support[i]).Select(m => m.Id.Value).ToList();
        if (unsupported.Count > 0)
            throw new CommandRejectedException($"no switchable relay (or no relay password configured) on meter{(unsupported.Count > 1 ? "s" : "")} {string.Join(", ", unsupported)}; nothing was sent");

        var results = await Task.WhenAll(meters.Select(m => RunAsync(m, cancellationToken))).ConfigureAwait(false);
        var data = new JsonObject { ["meters"] = new JsonArray([.. results.Select(r => (JsonNode)r.ToJson())]) };
        var failed = results.Where(r => !r.Ok).ToList();
        if (failed.Count == 0) return CommandOutcome.Done(data);
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{failed.Count} of {results.Length} meter{(results.Length > 1 ? "s" : "")} failed: {string.Join("; ", failed.Take(10).Select(r => $"{r.Meter} {r.Reason}"))}{(failed.Count > 10 ? "; ..." : "")}");
        throw new CommandFailedException(reason, data);
    }

    private async Task<MeterResult> RunAsync(Meter meter, CancellationToken cancellationToken)
    {
        try
        {
            return await _operations.RunOnMeterAsync(meter.Id, async (m, control, ct) =>
            {
                if (control is null || !control.SupportsRelay(m)) return new MeterResult(m.Id.Value, false, RelayState.Unknown, "relay_unsupported");
                if (_action is not { } action) return new MeterResult(m.Id.Value, true, await control.ReadRelayAsync(m, ct).ConfigureAwait(false), null);

                await control.SetRelayAsync(m, action, ct).ConfigureAwait(false);
                var wanted = action == RelayAction.Disconnect ? RelayState.Disconnected : RelayState.Connected;
                var state = RelayState.Unknown;
                for (var attempt = 1; ; attempt++)
                {
                    state = await control.ReadRelayAsync(m, ct).ConfigureAwait(false);
                    if (state == wanted || attempt >= _options.ReadBackAttempts) break;
                    await Task.Delay(_options.ReadBackDelay, _time, ct).ConfigureAwait(false);
                }

                var ok = state == wanted;
                _logger.LogInformation("{Command} meter {Meter}: read-back {State}{Verdict}", Name, m.Id, Word(state), ok ? "" : " (disagrees)");
                return new MeterResult(m.Id.Value, ok, state, ok ? null : $"read-back {Word(state)}, ordered {Word(wanted)}");
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The meter refused (wrong password: dlt645_unauthorized), did not answer, or the bus failed.
            _logger.LogWarning("{Command} meter {Meter} failed: {Reason}", Name, meter.Id, Describe(ex));
            return new MeterResult(meter.Id.Value, false, RelayState.Unknown, Describe(ex));
        }
    }

    /// <summary>The archive entries of <c>args.{name}</c>; an id not in the archive rejects the command naming its index.</summary>
    internal static IReadOnlyList<Meter>? ResolveMeters(CommandArgs args, string name, IMeterOperations operations, int maxCount, bool required)
    {
        var ids = required ? args.RequiredStrings(name, maxCount) : args.OptionalStrings(name, maxCount);
        if (ids is null) return null;
        var meters = new List<Meter>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            if (!operations.TryGetMeter(new MeterId(ids[i]), out var meter))
                throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.{name}[{i}] '{ids[i]}' is not in the meter archive"));
            meters.Add(meter);
        }
        return meters;
    }

    /// <summary>A short reason for a per-meter failure: the protocol's reason token and its message.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        MeterProtocolException p => $"{p.Reason}: {p.Message}",
        TimeoutException => "timeout: " + ex.Message,
        _ => ex.Message,
    };

    internal static string Word(RelayState state) => state switch
    {
        RelayState.Connected => "connected",
        RelayState.Disconnected => "disconnected",
        _ => "unknown",
    };

    private sealed record MeterResult(string Meter, bool Ok, RelayState State, string? Reason)
    {
        public JsonObject ToJson()
        {
            var o = new JsonObject { ["meter"] = Meter, ["status"] = Ok ? "ok" : "failed", ["readBack"] = Word(State) };
            if (Reason is not null) o["reason"] = Reason;
            return o;
        }
    }
}
