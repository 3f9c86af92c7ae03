namespace Dcu.Drivers.Plc;

/// <summary>
/// What AFN 03 F1 tells about the module: vendor code (2 ASCII), chip code (2 ASCII), version date
/// (BCD DD MM YY) and version (2 bytes BCD), all low byte first on the wire.
/// </summary>
public sealed record PlcModuleInfo(string VendorCode, string ChipCode, DateOnly? VersionDate, string Version);
