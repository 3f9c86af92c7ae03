using System.Text.Json.Nodes;

namespace Dcu.Core.Commands;

/// <summary>How a command ended, as its one result says (<c>"status"</c>).</summary>
public enum CommandStatus
{
    /// <summary>Taken; its effect follows asynchronously (e.g. a resend whose data flows on the readings topic).</summary>
    Accepted,
    /// <summary>Done; the result carries its data.</summary>
    Done,
    /// <summary>Refused or failed; the result carries the reason.</summary>
    Failed,
}

/// <summary>What a handler reports: the status, and for Done/Accepted the data of the result.</summary>
public sealed record CommandOutcome(CommandStatus Status, JsonObject? Data = null, string? Reason = null)
{
    public static CommandOutcome Done(JsonObject? data = null) => new(CommandStatus.Done, data);

    public static CommandOutcome Accepted(JsonObject? data = null) => new(CommandStatus.Accepted, data);

    public static CommandOutcome Failed(string reason, JsonObject? data = null) => new(CommandStatus.Failed, data, reason);
}

/// <summary>The command is invalid (unknown meter, missing or wrong-typed field, value out of range); nothing was done.</summary>
public sealed class CommandRejectedException(string reason) : Exception(reason);

/// <summary>Acting failed (meter did not answer, read-back disagrees); the message says what was and was not done.</summary>
public sealed class CommandFailedException(string reason, JsonObject? data = null) : Exception(reason)
{
    public JsonObject? ResultData { get; } = data;
}
