using System.Text.Json;

namespace Dcu.Core.Commands;

/// <summary>A command whose envelope passed the dispatcher's checks.</summary>
/// <param name="Id">The DCP's request id (unique per command; redeliveries carry the same id).</param>
/// <param name="Name">The command name.</param>
/// <param name="ExpiresUnixMs">After this instant the command must not be acted on.</param>
/// <param name="Args">The "args" object (an empty object when the command had none).</param>
public sealed record CommandRequest(string Id, string Name, long ExpiresUnixMs, CommandArgs Args);
