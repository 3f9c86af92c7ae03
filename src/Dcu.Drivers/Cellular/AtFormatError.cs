namespace Dcu.Drivers.Cellular;

/// <summary>
/// Why bytes from the modem, or a line of its answer, are not what TS 27.007 / V.250 say they are.
/// A closed set; what the modem reports on purpose (<c>ERROR</c>, <c>+CME ERROR</c>) is an
/// <see cref="AtFinalResult"/>, not in it.
/// </summary>
public enum AtFormatError
{
    None = 0,

    /// <summary>A line longer than <see cref="AtLineFramer.MaxLineLength"/>: refused before buffering more of it.</summary>
    LineTooLong,

    /// <summary>A NUL byte inside a line (line noise, a modem mid-reset).</summary>
    NulByte,

    /// <summary>A byte outside the IRA/T.50 printable set (V.250 5.1: 7-bit text; TAB allowed).</summary>
    NotText,

    /// <summary>The line does not start with the expected <c>+NAME:</c>.</summary>
    MissingPrefix,

    /// <summary>Fewer parameters than the response form requires.</summary>
    MissingField,

    /// <summary>A numeric parameter is not a decimal integer.</summary>
    NotANumber,

    /// <summary>A parameter is outside the range the clause defines.</summary>
    OutOfRange,

    /// <summary>A string parameter has the wrong form (an IMEI that is not 15 digits, a LAC that is not hex).</summary>
    BadValue,
}
