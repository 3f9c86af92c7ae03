namespace Dcu.Drivers.Cellular;

/// <summary>One parameter of an information response: its text (quotes removed) and whether it was a quoted string.</summary>
public readonly record struct AtField(string Text, bool Quoted)
{
    public bool IsEmpty => Text.Length == 0 && !Quoted;
}
