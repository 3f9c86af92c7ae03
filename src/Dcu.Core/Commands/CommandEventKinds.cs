namespace Dcu.Core.Commands;

/// <summary>DCU events raised by the command dispatcher (security events: no meter).</summary>
public static class CommandEventKinds
{
    /// <summary>A command that needed a signature had none or a wrong one; detail names id, command and topic (never the key or the signature).</summary>
    public const string SignatureInvalid = "command_signature_invalid";
}
