namespace Dcu.Drivers.Plc;

/// <summary>Settings of one <see cref="PlcModule"/>. Times are PLC-sized: a relayed meter read takes seconds.</summary>
public sealed record PlcModuleOptions
{
    /// <summary>The DCU's own address, set as the module's main node address (AFN 05 F1) when it differs.</summary>
    public required PlcAddress MainNodeAddress { get; init; }

    public Q13762CommMode CommMode { get; init; } = Q13762CommMode.NarrowbandCentralised;

    public Q13762Edition Edition { get; init; } = Q13762Edition.V2013;

    public PlcStartupInit StartupInit { get; init; } = PlcStartupInit.Hardware;

    /// <summary>Quiet time after AFN 01 while the module restarts.</summary>
    public TimeSpan AfterInitDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause the module's own (router-led) reading with AFN 12 F2 at start-up, so AFN 13 relays are not interleaved with it.</summary>
    public bool PauseRouterOnStart { get; init; } = true;

    /// <summary>Read AFN 03 F10 (run mode) at start-up; its slave-monitor timeout raises <see cref="ForwardTimeout"/> when larger.</summary>
    public bool ReadRunMode { get; init; } = true;

    /// <summary>Answer time for local commands (AFN 01/03/05/10/11/12).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public int CommandRetries { get; init; } = 2;

    /// <summary>Answer time for one AFN 13 relay (module to meter and back over the power line).</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Further attempts of a relay after a timeout, a silent meter, a busy module or a module reset.</summary>
    public int ForwardRetries { get; init; } = 1;

    /// <summary>Delay before the first retry; doubled for each further one.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Relays in flight at once. Q/GDW 1376.2-2013 has no field that announces concurrent AFN 13
    /// relays (HPLC modules do it through extensions), so this is configuration, not negotiated.
    /// </summary>
    public int MaxConcurrent { get; init; } = 1;

    /// <summary>Slave nodes per AFN 10 F2 read.</summary>
    public int ArchiveReadChunk { get; init; } = 15;

    /// <summary>Slave nodes per AFN 11 F1/F2 write.</summary>
    public int ArchiveWriteChunk { get; init; } = 10;

    /// <summary>Protocol recorded for the slave nodes the archive sync adds (AFN 11 F1).</summary>
    public PlcProtocolType ArchiveProtocol { get; init; } = PlcProtocolType.Dlt645_2007;

    /// <summary>Read-compare-write rounds before a sync gives up as unverified.</summary>
    public int ArchiveSyncPasses { get; init; } = 3;

    /// <summary>After a detected module reset, check the main node address and re-sync the last archive.</summary>
    public bool ResyncAfterReset { get; init; } = true;

    /// <summary>How long a relay that hit a module reset waits for the re-sync before retrying.</summary>
    public TimeSpan RecoveryWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A partial frame that gets no further byte for this long is dropped (one byte, then re-scan).</summary>
    public TimeSpan InterByteTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest L accepted; longer declared lengths are refused before buffering.</summary>
    public int MaxFrameLength { get; init; } = Q13762Frame.DefaultMaxLength;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public void Validate()
    {
        if (CommandTimeout <= TimeSpan.Zero) throw new ArgumentException("CommandTimeout must be positive");
        if (ForwardTimeout <= TimeSpan.Zero) throw new ArgumentException("ForwardTimeout must be positive");
        if (InterByteTimeout <= TimeSpan.Zero) throw new ArgumentException("InterByteTimeout must be positive");
        if (CommandRetries < 0 || ForwardRetries < 0) throw new ArgumentException("Retries must be >= 0");
        if (MaxConcurrent is < 1 or > 32) throw new ArgumentException("MaxConcurrent must be 1..32");
        if (ArchiveReadChunk is < 1 or > 255 || ArchiveWriteChunk is < 1 or > 255) throw new ArgumentException("Archive chunks must be 1..255");
        if (ArchiveSyncPasses < 1) throw new ArgumentException("ArchiveSyncPasses must be >= 1");
        if (MaxFrameLength is < Q13762Frame.MinLength or > ushort.MaxValue) throw new ArgumentException("MaxFrameLength out of range");
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
