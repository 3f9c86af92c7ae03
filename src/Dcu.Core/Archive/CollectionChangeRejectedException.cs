namespace Dcu.Core.Archive;

/// <summary>A change of the archive or of the tasks was refused before anything was applied; each problem names its field.</summary>
public sealed class CollectionChangeRejectedException(IReadOnlyList<string> problems)
    : Exception(string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
