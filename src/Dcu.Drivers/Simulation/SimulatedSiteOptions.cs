namespace Dcu.Drivers.Simulation;

/// <summary>What the site behind a simulated meter looks like.</summary>
public sealed record SimulatedSiteOptions
{
    public static SimulatedSiteOptions Default { get; } = new();

    /// <summary>Peak of the household load curve (evening peak), watts over all phases.</summary>
    public double PeakLoadWatts { get; init; } = 4_000;

    /// <summary>Peak of a rooftop PV system at noon; 0 for none. When PV exceeds the load, export energy rises.</summary>
    public double PvPeakWatts { get; init; }

    public double NominalVoltage { get; init; } = 230;

    public double NominalFrequency { get; init; } = 50;

    public double InitialImportKwh { get; init; } = 1_000;

    public double InitialExportKwh { get; init; }

    /// <summary>Offset of the site's local time from UTC, which shapes the daily load curve.</summary>
    public TimeSpan UtcOffset { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Relative noise on power and current (0.03 = ±3 %).</summary>
    public double Noise { get; init; } = 0.03;
}
