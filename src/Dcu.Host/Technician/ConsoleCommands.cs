using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcu.Core.Commands;
using Dcu.Core.Commands.Handlers;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Technician;

/// <summary>
/// The commands of a logged-in console session. Each runs through the same <see cref="ICommandHandler"/> the
/// MQTT dispatcher uses (a <see cref="CommandRequest"/> with id <c>console-N</c> and the handler's JSON args
/// parsed from the line), so the console shows exactly what the DCP would get. Read-only commands only: relay,
/// archive changes, config.set and time.set are not offered here. Nothing a line holds escapes as an exception:
/// bad input is one error line, a failing handler its reason.
/// </summary>
public sealed class ConsoleCommands
{
    public const string HelpWord = "help";
    public static readonly string[] LogoutWords = ["logout", "exit"];

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly ConsoleVerb[] Table =
    [
        new("status", ConsoleStatusHandler.CommandName, "status", "uplink, outbox per lane, publisher, bus errors, collection quality", ConsoleVerb.None),
        new("meters", "meters.list", "meters", "the meter archive, with each meter's online state", ConsoleVerb.None),
        new("read", "read", "read <meterId> [obis ...]", "read a meter now (all its quantities, or the OBIS codes given)", ReadArgs),
        new("tasks", "tasks.list", "tasks", "the collection tasks and when each runs next", ConsoleVerb.None),
        new("time", TimeGetHandler.CommandName, "time", "the DCU's clock (UTC) and whether it is plausible", ConsoleVerb.None),
        new("config", "config.get", "config", "the running configuration, secrets masked", ConsoleVerb.None),
    ];

    private readonly Dictionary<string, (ConsoleVerb Verb, ICommandHandler Handler)> _verbs = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _next;

    /// <param name="handlers">The DCU's handlers; a verb whose handler is missing or destructive is not offered.</param>
    /// <param name="timeout">How long a command may run before it is cancelled (Commands:ExecutionTimeout).</param>
    public ConsoleCommands(IEnumerable<ICommandHandler> handlers, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var byName = new Dictionary<string, ICommandHandler>(StringComparer.Ordinal);
        foreach (var h in handlers) byName.TryAdd(h.Name, h);
        foreach (var verb in Table)
            if (byName.TryGetValue(verb.Command, out var handler) && !handler.Destructive)
                _verbs[verb.Word] = (verb, handler);
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>The words offered, in help order.</summary>
    public IEnumerable<string> Words => Table.Where(v => _verbs.ContainsKey(v.Word)).Select(v => v.Word);

    public string Help()
    {
        var sb = new StringBuilder("commands:\n");
        foreach (var verb in Table.Where(v => _verbs.ContainsKey(v.Word)))
            sb.Append(CultureInfo.InvariantCulture, $"  {verb.Usage,-28}{verb.Summary}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {HelpWord,-28}this list\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {string.Join(" | ", LogoutWords),-28}end the session\n");
        return sb.ToString();
    }

    /// <summary>Runs one line (not logout/exit, which the session handles) and returns what to print, lines ending in '\n'.</summary>
    public async Task<string> RunAsync(string line, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return "";
        if (string.Equals(words[0], HelpWord, StringComparison.OrdinalIgnoreCase)) return Help();
        if (!_verbs.TryGetValue(words[0], out var entry))
            return $"error: unknown command '{Shorten(words[0])}'; type {HelpWord} for the list\n";
        var (verb, handler) = entry;
        if (verb.Args(words[1..]) is not { } args) return $"error: usage: {verb.Usage}\n";

        var id = string.Create(CultureInfo.InvariantCulture, $"console-{Interlocked.Increment(ref _next)}");
        var expires = _time.GetUtcNow().Add(_timeout).ToUnixTimeMilliseconds();
        // A clone outlives its document: a handler cut off by the timeout may still be reading its args.
        var argsElement = JsonDocument.Parse(args.ToJsonString()).RootElement.Clone();
        var request = new CommandRequest(id, handler.Name, expires, new CommandArgs(argsElement));
        _logger.LogInformation("Console command {Id} ({Command}) by {User}: {Args}", id, handler.Name, user, args.ToJsonString());
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var outcome = await handler.ExecuteAsync(request, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            return Render(outcome);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Console command {Id} ({Command}) timed out after {Timeout}", id, handler.Name, _timeout);
            return $"failed: timed out after {_timeout:c}\n";
        }
        catch (CommandRejectedException ex)
        {
            return $"error: {ex.Message}\n";
        }
        catch (CommandFailedException ex)
        {
            return Render(CommandOutcome.Failed(ex.Message, ex.ResultData));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Console command {Id} ({Command}) threw", id, handler.Name);
            return $"error: internal error: {ex.GetType().Name}\n";
        }
    }

    /// <summary>The status, then the data as indented JSON; a failure says its reason on the first line.</summary>
    internal static string Render(CommandOutcome outcome)
    {
        var head = outcome.Status switch
        {
            CommandStatus.Done => "ok",
            CommandStatus.Accepted => "accepted",
            _ => $"failed: {outcome.Reason}",
        };
        return outcome.Data is { } data ? $"{head}\n{data.ToJsonString(Pretty)}\n" : $"{head}\n";
    }

    /// <summary>read &lt;meterId&gt; [obis ...]: the handler's {"meters":[id],"quantities":[..]}; it checks the id and codes itself.</summary>
    private static JsonObject? ReadArgs(IReadOnlyList<string> words)
    {
        if (words.Count == 0) return null;
        var args = new JsonObject { ["meters"] = new JsonArray(words[0]) };
        if (words.Count > 1) args["quantities"] = new JsonArray([.. words.Skip(1).Select(q => (JsonNode?)q)]);
        return args;
    }

    private static string Shorten(string word) => word.Length <= 32 ? word : word[..32] + "...";
}
