namespace Dcu.Host.Cli;

/// <summary>The DCU's own switches; everything else is configuration (JSON file, then DCU_ environment variables).</summary>
public sealed record CommandLine(string? ConfigPath, bool Demo, bool Help, bool Version, bool HashPassword = false)
{
    public const string Usage = """
        usage: dcu [--config PATH] [--demo] [--help] [--version]
               dcu --hash-password

          --config PATH   configuration file (JSON); see hardware/dcu.example.json
          --demo          run on simulated meters; starts an embedded MQTT broker on 127.0.0.1
                          when no Mqtt:Host is configured
          --help          this text
          --version       print the version and exit
          --hash-password read a password (one line) from stdin and print the hash to put into
                          Console:PasswordHash (the technician console; docs/technician-console.md)

        Any key can be overridden by an environment variable with the prefix DCU_ and '__' as the
        separator, e.g. DCU_Mqtt__Host=broker.example.net or DCU_Buses__0__BaudRate=19200.
        """;

    /// <summary>Parses the arguments; returns null and an error message for anything unknown.</summary>
    public static CommandLine? TryParse(IReadOnlyList<string> args, out string? error)
    {
        string? config = null;
        bool demo = false, help = false, version = false, hashPassword = false;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config" or "-c":
                    if (i + 1 >= args.Count) { error = "--config needs a file path"; return null; }
                    config = args[++i];
                    break;
                case "--demo": demo = true; break;
                case "--help" or "-h": help = true; break;
                case "--version": version = true; break;
                case "--hash-password": hashPassword = true; break;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }
        return new CommandLine(config, demo, help, version, hashPassword);
    }
}
