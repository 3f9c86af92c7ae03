namespace Dcu.Core.Abstractions;

/// <summary>
/// The meter answered, but not with a usable reply: an exception response, an error word, a
/// reply that fails its CRC or does not match the request. <see cref="Reason"/> is a short,
/// stable token for counters ("crc", "exception_02", "wrong_unit", ...).
/// </summary>
public class MeterProtocolException : Exception
{
    public MeterProtocolException(string reason, string message) : base(message) => Reason = reason;

    public MeterProtocolException(string reason, string message, Exception inner) : base(message, inner) => Reason = reason;

    public MeterProtocolException() : this("unknown", "meter protocol error") { }

    public MeterProtocolException(string message) : this("unknown", message) { }

    public MeterProtocolException(string message, Exception inner) : this("unknown", message, inner) { }

    public string Reason { get; }
}
