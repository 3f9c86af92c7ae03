namespace Dcu.Drivers.Links;

/// <summary>Settings of a <see cref="TcpByteLink"/>.</summary>
public sealed class TcpLinkOptions
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 502;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("Host is required.", nameof(Host));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
    }
}
