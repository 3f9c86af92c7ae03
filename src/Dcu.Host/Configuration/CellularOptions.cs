using System.Globalization;
using Dcu.Drivers.Cellular;

namespace Dcu.Host.Configuration;

/// <summary>
/// Section "Cellular": the 3G/4G modem's AT command port, watched for the heartbeat's signal
/// (docs/cellular-modem.md). Off by default. The data link itself is the operating system's.
/// </summary>
public sealed class CellularOptions
{
    public const string SectionName = "Cellular";

    public bool Enabled { get; set; }

    /// <summary>The modem's AT command port (not its data port), e.g. /dev/ttyUSB2.</summary>
    public string Port { get; set; } = "/dev/ttyUSB2";

    public int Baud { get; set; } = 115_200;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A simulated modem instead of <see cref="Port"/> (the demo).</summary>
    public bool Simulated { get; set; }

    public CellularModemOptions ToModemOptions() => new() { PollInterval = PollInterval, CommandTimeout = CommandTimeout };

    /// <summary>Problems, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(Port) || !Port.StartsWith('/'))
            p.Add($"{SectionName}:{nameof(Port)} must be the absolute path of the modem's AT command port, e.g. /dev/ttyUSB2 (got '{Port}')");
        if (Baud is < 300 or > 4_000_000) p.Add($"{SectionName}:{nameof(Baud)} must be 300..4000000 (got {Baud})");
        var pollOk = PollInterval >= TimeSpan.FromSeconds(1) && PollInterval <= TimeSpan.FromHours(1);
        if (!pollOk) p.Add(Text($"{SectionName}:{nameof(PollInterval)} must be 00:00:01..01:00:00 (got {PollInterval})"));
        if (CommandTimeout < TimeSpan.FromMilliseconds(100) || CommandTimeout > TimeSpan.FromMinutes(2))
            p.Add(Text($"{SectionName}:{nameof(CommandTimeout)} must be 00:00:00.1..00:02:00 (got {CommandTimeout})"));
        else if (pollOk && CommandTimeout >= PollInterval)
            p.Add(Text($"{SectionName}:{nameof(CommandTimeout)} must be shorter than {SectionName}:{nameof(PollInterval)} (got {CommandTimeout} and {PollInterval})"));
        return p;
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
