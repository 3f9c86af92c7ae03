namespace Dcu.Core.Abstractions;

/// <summary>
/// The radio signal of the uplink, for the heartbeat. A cellular modem driver implements it; there
/// is none yet, and without a modem there is no signal to report: <see cref="Read"/> returns null.
/// </summary>
public interface ILinkSignal
{
    /// <summary>The signal as last measured, or null when unknown (no modem, not registered).</summary>
    LinkSignal? Read();
}

/// <summary>One signal measurement; either part may be unknown.</summary>
/// <param name="Dbm">Received signal strength (RSSI/RSRP) in dBm, e.g. -71.</param>
/// <param name="QualityPercent">Signal quality 0..100 as the modem scales it (e.g. from CSQ or RSRQ).</param>
public sealed record LinkSignal(int? Dbm, int? QualityPercent);
