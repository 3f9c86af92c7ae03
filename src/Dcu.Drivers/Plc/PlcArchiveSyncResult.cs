namespace Dcu.Drivers.Plc;

/// <summary>Outcome of <see cref="PlcModule.SyncArchiveAsync"/>: <see cref="Verified"/> when the read-back table equals the archive.</summary>
public sealed record PlcArchiveSyncResult(int Added, int Removed, int ModuleNodes, bool Verified, int Passes);
