namespace Dcu.Drivers.Dlt645;

/// <summary>
/// A reply that matched its request (<see cref="Dlt645Frame.CheckReply"/>). For reads,
/// <see cref="Data"/> holds the value bytes only (DI and follow-up SEQ stripped, 33H removed);
/// for an abnormal reply, <see cref="ErrorWord"/> says why.
/// </summary>
public sealed record Dlt645Reply(
    Dlt645Address Address,
    byte Control,
    Dlt645DataId? DataId,
    byte[] Data,
    Dlt645ErrorWord ErrorWord = Dlt645ErrorWord.None,
    byte? Sequence = null)
{
    public Dlt645Function Function => Dlt645Control.FunctionOf(Control);

    public bool IsAbnormal => Dlt645Control.IsAbnormal(Control);

    /// <summary>D5: more data follows; ask with 12H and the next SEQ.</summary>
    public bool HasFollowUp => Dlt645Control.HasFollowUp(Control);
}
