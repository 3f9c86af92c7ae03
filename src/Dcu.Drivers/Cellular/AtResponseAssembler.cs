namespace Dcu.Drivers.Cellular;

/// <summary>
/// Gathers the lines of one answer, pure (no I/O): the echo of the command line is recognised and
/// dropped (modems power up with ATE1; the driver sends ATE0 but does not rely on it), URCs are told
/// apart (<see cref="AtUnsolicited"/>), information lines are kept, and a final result code
/// (<see cref="AtFinalResult"/>) completes the <see cref="Response"/>.
/// </summary>
public sealed class AtResponseAssembler
{
    private readonly List<string> _lines = [];

    /// <summary>The command whose answer is being gathered, or null between commands.</summary>
    public string? Command { get; private set; }

    /// <summary>The answer, once its final result code has been accepted.</summary>
    public AtResponse? Response { get; private set; }

    /// <summary>Starts gathering the answer to <paramref name="command"/> (as sent, without the CR).</summary>
    public void Begin(string command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        Command = command.Trim();
        Response = null;
        _lines.Clear();
    }

    /// <summary>Back to no command in flight (after a timeout, or once the answer was taken).</summary>
    public void Reset()
    {
        Command = null;
        Response = null;
        _lines.Clear();
    }

    /// <summary>Classifies one line (as <see cref="AtLineFramer"/> delivers it) and adds it to the answer where it belongs.</summary>
    public AtLineKind Accept(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (Command is null || Response is not null) return AtUnsolicited.IsUnsolicited(line, null) ? AtLineKind.Unsolicited : AtLineKind.Stray;
        // V.250 6.2.4: the echo is the command line as received, so it comes before any answer line.
        if (_lines.Count == 0 && string.Equals(line.Trim(), Command, StringComparison.OrdinalIgnoreCase)) return AtLineKind.Echo;
        if (AtFinalResult.TryParse(line, out var final))
        {
            Response = new AtResponse(Command, [.. _lines], final);
            return AtLineKind.Final;
        }
        if (AtUnsolicited.IsUnsolicited(line, Command)) return AtLineKind.Unsolicited;
        _lines.Add(line.Trim());
        return AtLineKind.Information;
    }
}
