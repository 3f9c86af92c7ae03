using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// The final result code of a command (V.250 5.7.2 <c>OK</c>/<c>ERROR</c>; TS 27.007 9.2
/// <c>+CME ERROR: &lt;err&gt;</c>, numeric after <c>AT+CMEE=1</c> or verbose after <c>AT+CMEE=2</c>;
/// TS 27.005 3.2.5 <c>+CMS ERROR: &lt;err&gt;</c>). <see cref="Code"/> is the error number (a verbose
/// CME text is mapped back to its number), <see cref="Text"/> the verbose text where known.
/// </summary>
public sealed record AtFinalResult(AtFinalResultKind Kind, int? Code = null, string? Text = null)
{
    public static AtFinalResult Ok { get; } = new(AtFinalResultKind.Ok);

    public static AtFinalResult Error { get; } = new(AtFinalResultKind.Error);

    public bool IsOk => Kind == AtFinalResultKind.Ok;

    /// <summary>True for a <c>+CME ERROR</c> with this code.</summary>
    public bool IsCme(CmeErrorCode code) => Kind == AtFinalResultKind.CmeError && Code == (int)code;

    /// <summary>True when <paramref name="line"/> is a final result code; ATV1 (verbose) form only.</summary>
    public static bool TryParse(string line, [NotNullWhen(true)] out AtFinalResult? result)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        result = text switch
        {
            "OK" => Ok,
            "ERROR" => Error,
            _ when text.StartsWith("+CME ERROR:", StringComparison.OrdinalIgnoreCase) => WithCode(AtFinalResultKind.CmeError, text["+CME ERROR:".Length..], cme: true),
            _ when text.StartsWith("+CMS ERROR:", StringComparison.OrdinalIgnoreCase) => WithCode(AtFinalResultKind.CmsError, text["+CMS ERROR:".Length..], cme: false),
            _ => null,
        };
        return result is not null;
    }

    public override string ToString() => Kind switch
    {
        AtFinalResultKind.Ok => "OK",
        AtFinalResultKind.Error => "ERROR",
        AtFinalResultKind.CmeError => Text is null ? $"+CME ERROR: {Code}" : $"+CME ERROR: {Code?.ToString(CultureInfo.InvariantCulture) ?? "?"} ({Text})",
        _ => Text is null ? $"+CMS ERROR: {Code}" : $"+CMS ERROR: {Code?.ToString(CultureInfo.InvariantCulture) ?? "?"} ({Text})",
    };

    private static AtFinalResult WithCode(AtFinalResultKind kind, string value, bool cme)
    {
        value = value.Trim();
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            return new AtFinalResult(kind, code, cme ? CmeErrorTexts.Describe(code) : null);
        if (cme && CmeErrorTexts.TryGetCode(value, out code)) return new AtFinalResult(kind, code, value);
        return new AtFinalResult(kind, null, value.Length == 0 ? null : value);
    }
}
