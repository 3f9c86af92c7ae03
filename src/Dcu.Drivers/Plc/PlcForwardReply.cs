namespace Dcu.Drivers.Plc;

/// <summary>The data of an AFN 13 F1 answer: the meter's frame, its protocol and (2013) the local transmission time.</summary>
public sealed record PlcForwardReply(PlcProtocolType Protocol, byte[] Frame, TimeSpan? Duration);
