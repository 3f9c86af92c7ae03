using System.Text.Json.Nodes;

namespace Dcu.Host.Technician;

/// <summary>A word typed at the console and the contract command it runs.</summary>
/// <param name="Word">What the technician types ("meters").</param>
/// <param name="Command">The handler's command name ("meters.list").</param>
/// <param name="Usage">The synopsis shown by help and on bad arguments.</param>
/// <param name="Summary">One line for help.</param>
/// <param name="Args">The handler's args from the words after the first; null means the words do not fit <paramref name="Usage"/>.</param>
internal sealed record ConsoleVerb(string Word, string Command, string Usage, string Summary, Func<IReadOnlyList<string>, JsonObject?> Args)
{
    /// <summary>Args for a command that takes none.</summary>
    public static JsonObject? None(IReadOnlyList<string> words) => words.Count == 0 ? new JsonObject() : null;
}
