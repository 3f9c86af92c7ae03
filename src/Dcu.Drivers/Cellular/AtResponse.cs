namespace Dcu.Drivers.Cellular;

/// <summary>The complete answer to one command: its information lines (echo and URCs taken out) and its final result code.</summary>
public sealed record AtResponse(string Command, IReadOnlyList<string> Lines, AtFinalResult Final)
{
    public bool IsOk => Final.IsOk;

    /// <summary>The first information line named <paramref name="prefix"/> (<c>+CSQ</c>), or null.</summary>
    public string? Find(string prefix) => Lines.FirstOrDefault(l => AtFields.TryPayload(l, prefix, out _));

    public override string ToString() => Lines.Count == 0 ? $"{Command} -> {Final}" : $"{Command} -> {string.Join(" | ", Lines)} {Final}";
}
