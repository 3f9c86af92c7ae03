namespace Dcu.Core.Commands;

/// <summary>
/// One command of the DCP contract (docs/mqtt-contract.md), e.g. "tasks.add" or "relay.disconnect".
/// The dispatcher has already checked the envelope (id, expiry, signature) before it calls
/// <see cref="ExecuteAsync"/>; the handler validates its own arguments FIRST and throws
/// <see cref="CommandRejectedException"/> before any side effect, so nothing partial is applied.
/// </summary>
public interface ICommandHandler
{
    /// <summary>The command name: the last topic level of <c>dcu/{id}/cmd/{name}</c> and the "cmd" field.</summary>
    string Name { get; }

    /// <summary>Changes a meter or the DCU (relay, archive, config): may be required to carry an HMAC signature.</summary>
    bool Destructive { get; }

    /// <summary>
    /// Runs the command. Returns the outcome (done with data, or accepted when the effect follows later);
    /// throws <see cref="CommandRejectedException"/> for bad arguments (before acting) and
    /// <see cref="CommandFailedException"/> when acting failed; anything else becomes a failed result too.
    /// </summary>
    Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken);
}
