using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Plc;

public sealed partial class PlcModule
{
    /// <summary>Longest wait after a broadcast's confirm, whatever the module announces.</summary>
    public static readonly TimeSpan MaxBroadcastWait = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Has the module broadcast <paramref name="frame"/> to every meter on the power line (AFN 05 F3,
    /// e.g. a DL/T 645 broadcast time 08H). True when the module confirmed it (AFN 00 F1), after the
    /// wait time the confirm announces (a power-line broadcast takes the module a while; at most
    /// <see cref="MaxBroadcastWait"/>), so the meters have it when this returns; false when the module
    /// denied the command as unsupported or invalid (modules without broadcast), having sent nothing.
    /// Other denies, timeouts and resets propagate as from <see cref="CommandAsync"/>.
    /// </summary>
    public async Task<bool> BroadcastAsync(PlcProtocolType protocol, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var data = Q13762Data.BroadcastRequest(protocol, frame.Span);
        try
        {
            var answer = await CommandAsync(Q13762Afn.Control, Q13762Fn.F3, data, cancellationToken).ConfigureAwait(false);
            var wait = Q13762Data.ConfirmWaitTime(answer.Data.Span);
            if (wait > MaxBroadcastWait) wait = MaxBroadcastWait;
            if (wait > TimeSpan.Zero)
            {
                _logger.LogDebug("PLC {Link}: broadcast confirmed, waiting {Wait} for the module to carry it out", Name, wait);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            return true;
        }
        catch (PlcModuleDeniedException ex) when (ex.Code is Q13762DenyCode.MainNodeUnsupported or Q13762DenyCode.InvalidDataUnit or Q13762DenyCode.FormatError)
        {
            _logger.LogInformation("PLC {Link}: module does not broadcast (AFN 05 F3 denied: {Code})", Name, ex.Code);
            return false;
        }
    }
}
