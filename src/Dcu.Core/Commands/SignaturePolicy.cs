namespace Dcu.Core.Commands;

/// <summary>Which commands must carry an HMAC signature ("Commands:RequireSignature").</summary>
public enum SignaturePolicy
{
    /// <summary>No command needs one (a "sig" that is present is still checked when a key is set).</summary>
    None,
    /// <summary>Commands that change a meter or the DCU (<see cref="ICommandHandler.Destructive"/>). The default when a key is set.</summary>
    Destructive,
    /// <summary>Every command, including unknown ones and reads.</summary>
    All,
}
