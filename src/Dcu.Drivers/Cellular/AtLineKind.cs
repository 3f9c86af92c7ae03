namespace Dcu.Drivers.Cellular;

/// <summary>What a line from the modem was, as <see cref="AtResponseAssembler.Accept"/> classified it.</summary>
public enum AtLineKind
{
    /// <summary>The command line echoed back (ATE1, the modem's power-on default).</summary>
    Echo,

    /// <summary>Information text of the answer in flight.</summary>
    Information,

    /// <summary>A final result code: the answer is complete.</summary>
    Final,

    /// <summary>An unsolicited result code (with or without a command in flight).</summary>
    Unsolicited,

    /// <summary>A line with no command in flight that is no known URC (a late answer to a command that timed out, noise).</summary>
    Stray,
}
