namespace Dcu.Drivers.Plc;

/// <summary>
/// The parts of AFN 03 F10 (local module run mode) the driver uses. Offsets from vendor
/// implementations: byte 0 D3..D0 communication type (1 narrowband, 2 broadband, 3 micro-power
/// wireless), D4 route management; byte 6 slave monitor max timeout (s); bytes 9..10 largest frame;
/// 14..19 main node address; 20..21 max slave nodes; 22..23 current slave nodes.
/// </summary>
public sealed record PlcRunMode(int CommunicationType, TimeSpan SlaveMonitorTimeout, int MaxFrameLength, PlcAddress MainNode, int MaxSlaveNodes, int SlaveNodes);
