namespace Dcu.Drivers.Dlt645;

/// <summary>
/// What the meter said to a control command (1CH): 9CH = accepted, DCH = refused with an error
/// word (wrong password, command not allowed in this state, ESAM required, ...). A refusal is an
/// answer, not a failure, so it is returned rather than thrown.
/// </summary>
public readonly record struct Dlt645ControlResult(Dlt645Address Address, Dlt645RelayCommand Command, bool Accepted, Dlt645ErrorWord ErrorWord)
{
    public string? Reason => Accepted ? null : ErrorWord.ToReason();
}
