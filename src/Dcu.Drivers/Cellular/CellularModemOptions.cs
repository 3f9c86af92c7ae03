namespace Dcu.Drivers.Cellular;

/// <summary>Settings of a <see cref="CellularModem"/>.</summary>
public sealed class CellularModemOptions
{
    /// <summary>How often signal, registration and SIM are asked.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one command may take to its final result code.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Polls after which the last signal is no longer reported (the modem stopped answering).</summary>
    public int StaleAfterPolls { get; set; } = 3;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CommandTimeout, TimeSpan.Zero, nameof(CommandTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(StaleAfterPolls, 1, nameof(StaleAfterPolls));
    }
}
