namespace Dcu.Core.Uplink.Encodings;

/// <summary>Names of the encodings in configuration and the factory from an option value.</summary>
public static class BatchEncodings
{
    /// <summary>The accepted values of <c>Publisher:Encoding</c>, for error messages.</summary>
    public const string AcceptedNames = "json, json-deflate, compact";

    public static string NameOf(UplinkEncoding encoding) => encoding switch
    {
        UplinkEncoding.Json => "json",
        UplinkEncoding.JsonDeflate => "json-deflate",
        UplinkEncoding.Compact => "compact",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "unknown encoding"),
    };

    /// <summary>Parses an option value (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? name, out UplinkEncoding encoding)
    {
        encoding = UplinkEncoding.Json;
        switch (name?.Trim().ToLowerInvariant())
        {
            case "json": return true;
            case "json-deflate": encoding = UplinkEncoding.JsonDeflate; return true;
            case "compact": encoding = UplinkEncoding.Compact; return true;
            default: return false;
        }
    }

    public static IBatchEncoding Create(UplinkEncoding encoding) => encoding switch
    {
        UplinkEncoding.Json => JsonBatchEncoding.Instance,
        UplinkEncoding.JsonDeflate => JsonDeflateBatchEncoding.Instance,
        UplinkEncoding.Compact => CompactBatchEncoding.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "unknown encoding"),
    };

    /// <summary>The encoding an option value names.</summary>
    /// <exception cref="ArgumentException">The value is none of <see cref="AcceptedNames"/>.</exception>
    public static IBatchEncoding Create(string name) =>
        TryParse(name, out var encoding) ? Create(encoding)
            : throw new ArgumentException($"Publisher:Encoding must be one of {AcceptedNames} (got '{name}')", nameof(name));
}
