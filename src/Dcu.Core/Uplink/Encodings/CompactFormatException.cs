namespace Dcu.Core.Uplink.Encodings;

/// <summary>The bytes are not a valid compact reading batch; <see cref="Error"/> says why, <see cref="Field"/> where.</summary>
public sealed class CompactFormatException : FormatException
{
    public CompactFormatException(CompactFormatError error, string field, string detail, Exception? inner = null)
        : base($"compact reading batch: {error} at {field}: {detail}", inner)
    {
        Error = error;
        Field = field;
    }

    public CompactFormatException() : this(CompactFormatError.Truncated, "payload", "empty") { }

    public CompactFormatException(string message) : base(message) => Field = "";

    public CompactFormatException(string message, Exception innerException) : base(message, innerException) => Field = "";

    public CompactFormatError Error { get; }

    /// <summary>The field being read, e.g. <c>meters[3]</c> or <c>value[17]</c>.</summary>
    public string Field { get; }
}
