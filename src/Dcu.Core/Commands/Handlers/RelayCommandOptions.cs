namespace Dcu.Core.Commands.Handlers;

/// <summary>Limits of the relay commands ("relay.disconnect", "relay.connect", "relay.state").</summary>
public sealed class RelayCommandOptions
{
    public const string SectionName = "Relay";

    /// <summary>Most meters in one command (default 100): a mass disconnect is a deliberate series of commands, not one typo.</summary>
    public int MaxMeters { get; set; } = 100;

    /// <summary>
    /// Wait before reading the relay back again when it does not show the ordered state yet (meters
    /// may take a moment, or a pre-trip alarm delay, to move the relay). Default 2 s.
    /// </summary>
    public TimeSpan ReadBackDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Read-backs before the state counts as disagreeing (default 3).</summary>
    public int ReadBackAttempts { get; set; } = 3;

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxMeters is < 1 or > 10_000) problems.Add($"{SectionName}:MaxMeters must be 1..10000 (got {MaxMeters})");
        if (ReadBackDelay < TimeSpan.Zero || ReadBackDelay > TimeSpan.FromMinutes(1)) problems.Add($"{SectionName}:ReadBackDelay must be 0..1 min (got {ReadBackDelay})");
        if (ReadBackAttempts is < 1 or > 10) problems.Add($"{SectionName}:ReadBackAttempts must be 1..10 (got {ReadBackAttempts})");
        return problems;
    }
}
