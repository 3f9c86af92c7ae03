using System.Globalization;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// Splitting of information text <c>+NAME: p1,"p2",p3</c> (TS 27.007 4.1: parameters separated by
/// commas, string constants in double quotes, an omitted parameter left empty).
/// </summary>
public static class AtFields
{
    /// <summary>The text after <c>prefix:</c> (e.g. "+CSQ"), trimmed; false when the line does not start with it.</summary>
    public static bool TryPayload(string line, string prefix, out string payload)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(prefix);
        payload = "";
        var text = line.TrimStart();
        if (!text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || text.Length <= prefix.Length || text[prefix.Length] != ':') return false;
        payload = text[(prefix.Length + 1)..].Trim();
        return true;
    }

    /// <summary>The parameters, in order; a quote left open runs to the end of the line.</summary>
    public static List<AtField> Split(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var fields = new List<AtField>();
        if (payload.Length == 0) return fields;
        var i = 0;
        while (true)
        {
            while (i < payload.Length && payload[i] == ' ') i++;
            if (i < payload.Length && payload[i] == '"')
            {
                var close = payload.IndexOf('"', i + 1);
                var end = close < 0 ? payload.Length : close;
                fields.Add(new AtField(payload[(i + 1)..end], true));
                i = close < 0 ? payload.Length : close + 1;
                var comma = payload.IndexOf(',', i);
                if (comma < 0) return fields;
                i = comma + 1;
            }
            else
            {
                var comma = payload.IndexOf(',', i);
                var end = comma < 0 ? payload.Length : comma;
                fields.Add(new AtField(payload[i..end].Trim(), false));
                if (comma < 0) return fields;
                i = comma + 1;
            }
        }
    }

    /// <summary>A decimal integer parameter.</summary>
    public static AtFormatError TryInt(AtField field, int min, int max, out int value)
    {
        if (!int.TryParse(field.Text, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return AtFormatError.NotANumber;
        return value < min || value > max ? AtFormatError.OutOfRange : AtFormatError.None;
    }

    /// <summary>True when every character is a hex digit (LAC, TAC, cell id).</summary>
    public static bool IsHex(string text) => text.Length > 0 && text.All(char.IsAsciiHexDigit);
}
