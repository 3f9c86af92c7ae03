namespace Dcu.Core.Model;

/// <summary>The DCU-wide identity of a meter in the archive (e.g. "sdm630-01" or a serial number).</summary>
public readonly record struct MeterId(string Value)
{
    public override string ToString() => Value;
}
