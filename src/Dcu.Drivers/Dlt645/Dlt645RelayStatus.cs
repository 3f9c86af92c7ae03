using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Dlt645;

/// <summary>The relay as running status word 3 (04000503) shows it.</summary>
public static class Dlt645RelayStatus
{
    /// <summary>
    /// Bit 4 (relay state: 1 = open) is what the supply actually is; bit 6 (relay command state: 1 =
    /// trip ordered) only says what was last ordered. A "close permitted" (1BH) meter keeps bit 4 set
    /// with bit 6 clear until the customer presses its button, so the state follows bit 4 alone.
    /// </summary>
    public static RelayState ToRelayState(this Dlt645RunningStatus3 status) =>
        (status & Dlt645RunningStatus3.RelayOpen) != 0 ? RelayState.Disconnected : RelayState.Connected;

    /// <summary>Bit 6 clear but bit 4 set: closing is permitted (1BH) and waits for the customer's button press.</summary>
    public static bool IsAwaitingManualClose(this Dlt645RunningStatus3 status) =>
        (status & Dlt645RunningStatus3.RelayOpen) != 0 && (status & Dlt645RunningStatus3.RelayCommandOpen) == 0;
}
