namespace Dcu.Drivers.Profiles;

/// <summary>A meter profile file is missing, unreadable or wrong. The message names the file and the field.</summary>
public sealed class MeterProfileException : Exception
{
    public MeterProfileException(string file, string field, string problem, Exception? inner = null)
        : base($"Meter profile '{file}': {(field.Length == 0 ? "" : field + ": ")}{problem}", inner)
    {
        File = file;
        Field = field;
    }

    public MeterProfileException() : this("?", "", "invalid meter profile") { }

    public MeterProfileException(string message) : this("?", "", message) { }

    public MeterProfileException(string message, Exception inner) : this("?", "", message, inner) { }

    /// <summary>The file (or source name) the profile came from.</summary>
    public string File { get; }

    /// <summary>JSON path of the bad field, e.g. "registers[3].type"; empty when the whole file is bad.</summary>
    public string Field { get; }
}
