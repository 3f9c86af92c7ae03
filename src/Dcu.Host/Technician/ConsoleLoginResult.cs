namespace Dcu.Host.Technician;

/// <summary>What a login attempt came to.</summary>
public enum ConsoleLoginStatus
{
    Success,
    /// <summary>Wrong user or password (which one is not said).</summary>
    Failed,
    /// <summary>Refused without checking: the console is locked after too many failures.</summary>
    Locked,
}

/// <summary>The outcome of <see cref="ConsoleLoginGuard.TryLoginAsync"/>, with the line to show the technician.</summary>
/// <param name="Remaining">How long the lockout still runs (Locked, or Failed when this failure locked it).</param>
public sealed record ConsoleLoginResult(ConsoleLoginStatus Status, string Message, TimeSpan? Remaining = null);
