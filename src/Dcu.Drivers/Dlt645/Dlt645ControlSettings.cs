using System.Globalization;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// What a DCU needs to switch the relay (1CH) and set the clock (14H) of its DL/T 645 meters: the
/// passwords (secrets: never logged, <see cref="ToString"/> hides them), the operator code recorded
/// by the meter in its programming/control event log, and the close command used for "connect".
/// </summary>
public sealed record Dlt645ControlSettings
{
    /// <summary>Password (with its level) for the control command 1CH. Null: the DCU does not switch relays.</summary>
    public Dlt645Password? RelayPassword { get; init; }

    /// <summary>Password for writing the clock (14H, 04000101/04000102). Null: <see cref="RelayPassword"/> is used.</summary>
    public Dlt645Password? ClockPassword { get; init; }

    /// <summary>C0..C3: identifies the operator in the meter's event records. Not secret, but not needed in logs either.</summary>
    public uint OperatorCode { get; init; }

    /// <summary>
    /// The N1 sent for "connect". Default <see cref="Dlt645RelayCommand.CloseDirect"/> (1CH): it restores
    /// the supply at once, which is what a remote reconnect promises and what the read-back of status
    /// word 3 can confirm. <see cref="Dlt645RelayCommand.ClosePermitted"/> (1BH, the only close of the
    /// 2007 text) only allows the customer to close with the meter's button; sites whose safety rules
    /// forbid energising an installation remotely choose it, and the read-back then stays
    /// "disconnected" until someone presses the button. Pre-2013 meters refuse 1CH (DCH, "other").
    /// </summary>
    public Dlt645RelayCommand ConnectCommand
    {
        get;
        init => field = value is Dlt645RelayCommand.CloseDirect or Dlt645RelayCommand.ClosePermitted
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ConnectCommand), value, "connect is 1CH (close directly) or 1BH (close permitted)");
    } = Dlt645RelayCommand.CloseDirect;

    /// <summary>
    /// N3..N8 of 1CH: the command is void after meter-local now + this. Short, so a delayed or replayed
    /// frame does nothing; long enough for a meter clock a few minutes ahead (default 15 min).
    /// </summary>
    public TimeSpan CommandValidity
    {
        get;
        init => field = value > TimeSpan.Zero && value <= TimeSpan.FromDays(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CommandValidity), value, "0 < validity <= 1 day");
    } = TimeSpan.FromMinutes(15);

    public Dlt645Password? EffectiveClockPassword => ClockPassword ?? RelayPassword;

    /// <summary>"02123456"-style text (8 hex digits) to a password; throws <see cref="FormatException"/> naming <paramref name="field"/>, never echoing the text.</summary>
    public static Dlt645Password ParsePassword(string text, string field) =>
        Dlt645Password.TryParse(text, out var password)
            ? password
            : throw new FormatException($"{field} must be 8 hex digits: the level then the password, e.g. \"02\" + \"123456\" (value not shown)");

    /// <summary>8 hex digits, C3 first as written ("00000001" goes out as 01 00 00 00).</summary>
    public static uint ParseOperatorCode(string text, string field) =>
        text is { Length: 8 } && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            ? code
            : throw new FormatException($"{field} must be 8 hex digits, e.g. \"00000001\"");

    public override string ToString() =>
        $"relay password {(RelayPassword is null ? "none" : "set")}, clock password {(ClockPassword is null ? "as relay" : "set")}, connect {ConnectCommand}, validity {CommandValidity}";
}
