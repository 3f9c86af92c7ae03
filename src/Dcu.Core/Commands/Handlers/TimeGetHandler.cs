using System.Text.Json.Nodes;
using Dcu.Core.Abstractions;

namespace Dcu.Core.Commands.Handlers;

/// <summary>"time.get": the DCU's clock (UTC, ISO 8601 and Unix ms) and whether it is plausible. No args.</summary>
public sealed class TimeGetHandler(TimeProvider time, IClockStatus? clockStatus = null) : ICommandHandler
{
    public const string CommandName = "time.get";

    public string Name => CommandName;

    public bool Destructive => false;

    public Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Args.RejectUnknown();
        var now = time.GetUtcNow();
        var data = new JsonObject { ["utc"] = TimeText.Iso(now), ["unixMs"] = now.ToUnixTimeMilliseconds() };
        if (clockStatus is not null) data["valid"] = clockStatus.IsValid;
        return Task.FromResult(CommandOutcome.Done(data));
    }
}
