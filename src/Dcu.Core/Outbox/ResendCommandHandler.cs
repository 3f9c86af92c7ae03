using System.Globalization;
using System.Text.Json.Nodes;
using Dcu.Core.Commands;

namespace Dcu.Core.Outbox;

/// <summary>
/// The "resend" command: queues items of the sent history again (new outbox ids, a new seq; their
/// identity is unchanged so the DCP drops what it already has). Args, one form or the other:
/// <c>{"seqFrom":n,"seqTo":n}</c> (batch seqs, inclusive) or <c>{"meters":["m1",...],"from":unixMs,"to":unixMs}</c>
/// (item time, inclusive; meters optional = all, DCU events included). A range spans at most
/// <see cref="MaxRange"/>. Result data: <c>{"queued":n}</c>; the items follow on their usual topics.
/// </summary>
public sealed class ResendCommandHandler(ISentHistory history) : ICommandHandler
{
    /// <summary>Longest time range accepted, and most seqs in a seq range.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    public const long MaxSeqSpan = 1_000_000;

    private const long MaxSeq = 1L << 53;
    private const long MaxUnixMs = 253_402_300_799_999; // 9999-12-31

    private readonly ISentHistory _history = history ?? throw new ArgumentNullException(nameof(history));

    public string Name => "resend";

    public bool Destructive => false;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = Parse(request.Args);
        var queued = await _history.ResendAsync(query, cancellationToken).ConfigureAwait(false);
        return CommandOutcome.Accepted(new JsonObject { ["queued"] = queued });
    }

    /// <summary>Validates the args before anything is done; throws <see cref="CommandRejectedException"/> naming the field.</summary>
    public static SentQuery Parse(CommandArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.RejectUnknown("seqFrom", "seqTo", "meters", "from", "to");
        var bySeq = args.Has("seqFrom") || args.Has("seqTo");
        var byTime = args.Has("meters") || args.Has("from") || args.Has("to");
        if (bySeq && byTime) throw new CommandRejectedException("args: give either seqFrom/seqTo or meters/from/to, not both");
        if (bySeq)
        {
            var from = args.RequiredInt64("seqFrom", 1, MaxSeq);
            var to = args.RequiredInt64("seqTo", 1, MaxSeq);
            if (from > to) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.seqFrom ({from}) is after args.seqTo ({to})"));
            if (to - from >= MaxSeqSpan) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.seqTo: at most {MaxSeqSpan} seqs per resend"));
            return SentQuery.BySeq(from, to);
        }
        if (!byTime) throw new CommandRejectedException("args: give seqFrom and seqTo, or from and to (with optional meters)");
        var meters = args.OptionalStrings("meters");
        var fromMs = args.RequiredInt64("from", 0, MaxUnixMs);
        var toMs = args.RequiredInt64("to", 0, MaxUnixMs);
        if (fromMs > toMs) throw new CommandRejectedException(string.Create(CultureInfo.InvariantCulture, $"args.from ({fromMs}) is after args.to ({toMs})"));
        if (toMs - fromMs > (long)MaxRange.TotalMilliseconds) throw new CommandRejectedException($"args.to: the range spans more than {MaxRange.TotalDays:0} days");
        return SentQuery.ByTime(meters is null ? null : new HashSet<string>(meters, StringComparer.Ordinal), fromMs, toMs);
    }
}
