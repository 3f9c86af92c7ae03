using System.Globalization;
using System.Text.Json.Nodes;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Commands.Handlers;

/// <summary>
/// "time.set" (destructive): steps the DCU's own clock. Args: exactly one of <c>"utc"</c> (ISO 8601 with
/// an offset or Z, e.g. "2026-11-25T16:30:00Z") or <c>"unixMs"</c>; 2024..2099. The result gives the clock
/// before and after and the step applied (ms, positive = forward). The process needs CAP_SYS_TIME;
/// without it the command fails saying so, and the clock is unchanged.
/// </summary>
public sealed class TimeSetHandler(ISystemClockSetter setter, TimeProvider time, ILogger? logger = null) : ICommandHandler
{
    public const string CommandName = "time.set";

    private static readonly DateTimeOffset Earliest = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2099, 12, 31, 23, 59, 59, TimeSpan.Zero);

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public string Name => CommandName;

    public bool Destructive => true;

    public Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = request.Args;
        args.RejectUnknown("utc", "unixMs");
        var text = args.OptionalString("utc", 64);
        var unixMs = args.OptionalInt64("unixMs", Earliest.ToUnixTimeMilliseconds(), Latest.ToUnixTimeMilliseconds());
        if ((text is null) == (unixMs is null)) throw new CommandRejectedException("exactly one of args.utc (ISO 8601, e.g. \"2026-11-25T16:30:00Z\") or args.unixMs is required");
        DateTimeOffset target;
        if (text is not null)
        {
            // An offset is required: a bare local time would be read in the DCU's zone, which the DCP cannot know.
            if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out target)
                || !(text.EndsWith('Z') || text.Length > 6 && text[^6] is '+' or '-'))
                throw new CommandRejectedException($"args.utc '{text}' is not an ISO 8601 instant with Z or an offset (e.g. \"2026-11-25T16:30:00Z\")");
            if (target < Earliest || target > Latest) throw new CommandRejectedException($"args.utc must be within 2024..2099 (got {text})");
        }
        else
        {
            target = DateTimeOffset.FromUnixTimeMilliseconds(unixMs!.Value);
        }

        var before = time.GetUtcNow();
        try
        {
            setter.SetUtc(target);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CommandFailedException($"the DCU may not set the system clock (needs CAP_SYS_TIME): {ex.Message}; the clock is unchanged");
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or InvalidOperationException)
        {
            throw new CommandFailedException($"setting the system clock failed: {ex.Message}; the clock is unchanged");
        }

        var after = time.GetUtcNow();
        var step = target - before;
        _logger.LogWarning("time.set: DCU clock stepped by {StepMs} ms to {Utc}", (long)step.TotalMilliseconds, TimeText.Iso(target));
        return Task.FromResult(CommandOutcome.Done(new JsonObject
        {
            ["applied"] = true,
            ["before"] = TimeText.Iso(before),
            ["utc"] = TimeText.Iso(after),
            ["stepMs"] = (long)step.TotalMilliseconds,
        }));
    }
}
