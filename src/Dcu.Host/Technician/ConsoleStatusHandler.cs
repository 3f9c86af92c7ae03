using System.Globalization;
using System.Text.Json.Nodes;
using Dcu.Core.Commands;
using Dcu.Core.Events;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;
using Dcu.Drivers.Cellular;

namespace Dcu.Host.Technician;

/// <summary>
/// "status", for the console only (the DCP has the heartbeat): whether the uplink is connected, the outbox
/// per lane, the publisher's counters, the bus error counters and today's collection quality, read from the
/// same sources the heartbeat (<see cref="StatusReporter"/>) reads: the outbox's stats, the publisher's
/// stats, the runtime's bus counters and the quality snapshot; and the cellular modem's snapshot when
/// there is a modem. No args.
/// </summary>
public sealed class ConsoleStatusHandler(
    Func<bool> uplinkConnected,
    IOutboxReader outbox,
    Func<PublishStats>? publishStats = null,
    Func<IReadOnlyDictionary<string, long>>? busErrors = null,
    Func<QualitySnapshot>? quality = null,
    Func<CellularModemSnapshot>? cellular = null) : ICommandHandler
{
    public const string CommandName = "status";

    public string Name => CommandName;

    public bool Destructive => false;

    public Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Args.RejectUnknown();
        var o = outbox.GetStats();
        var data = new JsonObject
        {
            ["uplink"] = Uplink(),
            ["outbox"] = new JsonObject
            {
                ["results"] = o.ResultsDepth,
                ["events"] = o.EventsDepth,
                ["billing"] = o.BillingDepth,
                ["readings"] = o.ReadingsDepth,
                ["oldestUnsentAgeS"] = o.OldestUnsentAge is { } age ? JsonValue.Create((long)age.TotalSeconds) : null,
                ["evicted"] = o.EvictedTotal,
                ["queued"] = o.QueueLength,
                ["writeFailing"] = o.WriteFailing,
                ["lastError"] = o.LastError,
            },
        };
        if (busErrors?.Invoke() is { } bus)
        {
            var errors = new JsonObject();
            foreach (var (name, count) in bus.OrderBy(kv => kv.Key, StringComparer.Ordinal)) errors[name] = count;
            data["busErrors"] = errors;
        }
        if (quality?.Invoke() is { } q)
        {
            data["quality"] = new JsonObject
            {
                ["date"] = q.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["expected"] = q.Expected,
                ["collected"] = q.Collected,
                ["onTime"] = q.OnTime,
                ["siteRate"] = Math.Round(q.SiteRate, 4),
            };
        }
        if (cellular?.Invoke() is { } c) data["cellular"] = Cellular(c);
        return Task.FromResult(CommandOutcome.Done(data));
    }

    private static JsonObject Cellular(CellularModemSnapshot c) => new()
    {
        ["port"] = c.Port,
        ["answering"] = c.Answering,
        ["registration"] = c.Registration?.ToString(),
        ["technology"] = c.Technology?.ToString(),
        ["operator"] = c.Operator,
        ["sim"] = c.Sim.ToString(),
        ["imei"] = c.Imei,
        ["iccid"] = c.IccidTail,
        ["rssi"] = c.Rssi,
        ["signalDbm"] = c.SignalDbm,
        ["signalQuality"] = c.SignalQuality,
        ["lastPoll"] = c.LastPollUtc?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["lastError"] = c.LastError,
        ["polls"] = c.Polls,
        ["failedPolls"] = c.FailedPolls,
        ["timeouts"] = c.Timeouts,
        ["portErrors"] = c.PortErrors,
        ["errorReplies"] = c.ErrorReplies,
        ["badResponses"] = c.BadResponses,
        ["badLines"] = c.BadLines,
        ["urcs"] = c.Unsolicited,
    };

    private JsonObject Uplink()
    {
        var u = new JsonObject { ["connected"] = uplinkConnected() };
        if (publishStats?.Invoke() is { } p)
        {
            u["readingsPerS"] = Math.Round(p.ReadingsPerSecond, 1);
            u["batches"] = p.Batches;
            u["readingsPublished"] = p.ReadingsPublished;
            u["eventsPublished"] = p.EventsPublished;
            u["failedPublishes"] = p.FailedPublishes;
            u["awaitingDcpAck"] = p.AwaitingDcpAck;
        }
        return u;
    }
}
