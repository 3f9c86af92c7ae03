using System.Text.Json.Nodes;
using Dcu.Core.Collection;
using Dcu.Core.Model;

namespace Dcu.Core.Commands.Handlers;

/// <summary>
/// "read": reads meters now, each as an on-demand job of its bus (ahead of scheduled reads; meters of
/// different buses in parallel). Args: meters[] (ids, all in the archive, else refused before any read),
/// quantities[] (OBIS codes; absent = all the meter's profile supports). The readings also go to the
/// outbox as usual. Result: {"meters":{"id":{"values":[{"q":"1.0.1.8.0","v":1.5,"u":"kWh","t":unix_ms}]}
/// or {"error":"..."}}}; failed only when no meter could be read.
/// </summary>
public sealed class ReadHandler(CollectionScheduler scheduler) : ICommandHandler
{
    public const int MaxMeters = 100;

    public string Name => "read";

    public bool Destructive => false;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        var args = request.Args;
        args.RejectUnknown("meters", "quantities");
        var ids = args.RequiredStrings("meters", MaxMeters);
        var quantities = args.OptionalObisCodes("quantities");
        for (var i = 0; i < ids.Count; i++)
            if (!scheduler.TryGetMeter(new MeterId(ids[i]), out _))
                throw new CommandRejectedException($"args.meters[{i}] '{ids[i]}' is not in the archive");

        var reads = ids.Select(id => ReadAsync(new MeterId(id), quantities, cancellationToken)).ToArray();
        var results = await Task.WhenAll(reads);
        var meters = new JsonObject();
        for (var i = 0; i < ids.Count; i++) meters[ids[i]] = results[i].Node;
        var data = new JsonObject { ["meters"] = meters };
        return results.Any(r => r.Ok) ? CommandOutcome.Done(data) : CommandOutcome.Failed("no meter could be read", data);
    }

    private async Task<(bool Ok, JsonObject Node)> ReadAsync(MeterId meter, IReadOnlyCollection<ObisCode>? quantities, CancellationToken cancellationToken)
    {
        try
        {
            var readings = await scheduler.RequestOnDemandAsync(meter, quantities, cancellationToken);
            var values = new JsonArray();
            foreach (var r in readings)
                values.Add((JsonNode)new JsonObject { ["q"] = r.Obis.ToString(), ["v"] = r.Value, ["u"] = r.Unit, ["t"] = r.ReadUnixMs });
            return (true, new JsonObject { ["values"] = values });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var error = ex switch
            {
                TimeoutException => "timeout: " + ex.Message,
                Abstractions.MeterProtocolException p => $"protocol:{p.Reason}: {p.Message}",
                OperationCanceledException => "cancelled (the DCU is stopping)",
                _ => ex.Message,
            };
            return (false, new JsonObject { ["error"] = error });
        }
    }
}
