namespace Dcu.Drivers.Cellular;

/// <summary>The final result codes that end the answer to a command (V.250 5.7.2, TS 27.007 9.2, TS 27.005 3.2.5).</summary>
public enum AtFinalResultKind
{
    Ok,
    Error,
    CmeError,
    CmsError,
}
