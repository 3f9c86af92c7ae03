namespace Dcu.Core.Events;

/// <summary>
/// One on/off condition with debounce: it changes only after <c>confirmations</c> readings in a row
/// asked for the change. Hysteresis is the caller's: it passes "enter" while off and "leave" while
/// on, each against its own threshold.
/// </summary>
internal struct DebouncedCondition
{
    private int _streak;

    public bool Active { get; private set; }

    /// <summary>Sets the state without an event (a first reading is a baseline, not a change).</summary>
    public void Reset(bool active)
    {
        Active = active;
        _streak = 0;
    }

    /// <summary>Feeds one reading; returns true when the condition changed (read <see cref="Active"/> for which way).</summary>
    /// <param name="change">While off: the enter threshold is crossed. While on: the leave threshold is crossed.</param>
    public bool Update(bool change, int confirmations)
    {
        if (!change)
        {
            _streak = 0;
            return false;
        }
        if (++_streak < confirmations) return false;
        _streak = 0;
        Active = !Active;
        return true;
    }
}
