using System.Globalization;
using System.Text;
using Dcu.Core.Abstractions;
using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// A 3G/4G modem's AT command port in memory, speaking real V.250 / TS 27.007 bytes: echo on until
/// ATE0, <c>+CME ERROR</c> numeric or verbose per AT+CMEE, and AT, ATE0/1, AT+CMEE, AT+CSQ (a signal
/// that can wobble), AT+CREG?/+CEREG?/+CGREG? (and =n), AT+CPIN?, AT+COPS?, AT+CGSN and one vendor's
/// ICCID command answered; anything else is ERROR. It can be told to go silent, to answer ERROR to
/// everything, to put garbage before its answers and a URC inside them, and to send URCs at any time.
/// The driver uses it as its <see cref="IByteLink"/>; <see cref="ServeAsync"/> puts it on a real port.
/// </summary>
public sealed class SimulatedAtModem : SimulatedLink
{
    private static readonly byte[] Garbage = [0xFF, 0x00, 0x13, (byte)'~', 0x80, (byte)'\r', (byte)'\n'];

    private readonly SimulatedAtModemOptions _options;
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly List<byte> _commandLine = [];
    private readonly List<string> _received = [];
    private bool _echo = true;
    private int _cmee;
    private readonly Dictionary<string, int> _registrationMode = new(StringComparer.Ordinal) { ["+CREG"] = 0, ["+CGREG"] = 0, ["+CEREG"] = 0 };

    public SimulatedAtModem(TimeProvider timeProvider, SimulatedAtModemOptions? options = null, string name = "sim:modem")
        : base(timeProvider, name)
    {
        _options = options ?? new SimulatedAtModemOptions();
        _random = new Random(_options.Seed);
        Rssi = _options.Rssi;
        RssiWobble = _options.RssiWobble;
        Registration = _options.Registration;
        Technology = _options.Technology;
        SimPresent = _options.SimPresent;
    }

    public override int BitsPerCharacter => 10;

    public override int BaudRate => 115_200;

    public int Rssi { get; set; }

    public int RssiWobble { get; set; }

    public RegistrationState Registration { get; set; }

    public AccessTechnology Technology { get; set; }

    public bool SimPresent { get; set; }

    /// <summary>Takes commands and says nothing, not even the echo (a hung modem).</summary>
    public bool Silent { get; set; }

    /// <summary>Answers every command with ERROR.</summary>
    public bool AnswerError { get; set; }

    /// <summary>Puts non-text bytes and a NUL on the line before every answer.</summary>
    public bool GarbageBeforeAnswers { get; set; }

    /// <summary>A URC line sent in the middle of every answer (after its information text), or null.</summary>
    public string? UrcInsideAnswers { get; set; }

    /// <summary>Whether echo is on now (ATE1 at power-up).</summary>
    public bool Echo { get { lock (_gate) return _echo; } }

    /// <summary>Command lines received, in order (also while silent).</summary>
    public IReadOnlyList<string> Commands { get { lock (_gate) return [.. _received]; } }

    /// <summary>Sends an unsolicited result code now, framed CR LF text CR LF.</summary>
    public void EmitUrc(string line) => Deliver(Encoding.ASCII.GetBytes($"\r\n{line}\r\n"));

    /// <summary>Puts raw bytes on the line (garbage, half lines).</summary>
    public void InjectBytes(byte[] bytes) => Deliver(bytes);

    /// <summary>
    /// Serves a real port (the far end of a serial line, e.g. a pty) until cancelled: bytes from
    /// <paramref name="port"/> are the commands, the modem's output is written back to it.
    /// </summary>
    public async Task ServeAsync(IByteLink port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var down = Task.Run(async () =>
        {
            var buffer = new byte[256];
            int n;
            while ((n = await ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                await port.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }, CancellationToken.None);
        var up = Task.Run(async () =>
        {
            var buffer = new byte[256];
            int n;
            while ((n = await port.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                await WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }, CancellationToken.None);
        try
        {
            await Task.WhenAll(down, up).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    protected override int DeliveryChunkSize => _options.ReplyChunkSize;

    /// <summary>Bytes as they come (a UART, not frames): echoed while echo is on, a command line ends at CR (V.250 5.2.1).</summary>
    protected override void OnFrame(ReadOnlyMemory<byte> frame)
    {
        var lines = new List<string>();
        bool echo;
        lock (_gate)
        {
            echo = _echo;
            foreach (var b in frame.Span)
            {
                if (b == '\r')
                {
                    lines.Add(Encoding.ASCII.GetString([.. _commandLine]));
                    _commandLine.Clear();
                }
                else if (b != '\n' && _commandLine.Count < 1024)
                {
                    _commandLine.Add(b);
                }
            }
        }
        var commands = lines.Select(l => l.Trim()).Where(c => c.Length > 0).ToList();
        lock (_gate) _received.AddRange(commands);
        if (Silent) return;
        if (echo) Deliver(frame.ToArray());
        foreach (var command in commands) Deliver(Answer(command));
    }

    private byte[] Answer(string command)
    {
        var info = new List<string>();
        var final = AnswerError ? "ERROR" : Execute(command.ToUpperInvariant(), info);
        var text = new StringBuilder();
        foreach (var line in info) text.Append("\r\n").Append(line).Append("\r\n");
        if (UrcInsideAnswers is { } urc) text.Append("\r\n").Append(urc).Append("\r\n");
        text.Append("\r\n").Append(final).Append("\r\n");
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        return GarbageBeforeAnswers ? [.. Garbage, .. bytes] : bytes;
    }

    /// <summary>Carries out one command; returns its final result code and adds its information text.</summary>
    private string Execute(string command, List<string> info)
    {
        lock (_gate)
        {
            switch (command)
            {
                case "AT": return "OK";
                case "ATE0": _echo = false; return "OK";
                case "ATE1": _echo = true; return "OK";
                case "AT+CMEE?": info.Add($"+CMEE: {_cmee}"); return "OK";
                case "AT+CSQ": info.Add($"+CSQ: {NextRssi()},99"); return "OK";
                case "AT+CPIN?":
                    if (!SimPresent) return CmeError(CmeErrorCode.SimNotInserted);
                    info.Add("+CPIN: READY");
                    return "OK";
                case "AT+COPS?":
                    info.Add(IsRegistered ? $"+COPS: 0,0,\"{_options.Operator}\",{(int)Technology}" : "+COPS: 0");
                    return "OK";
                case "AT+CGSN": info.Add(_options.Imei); return "OK";
                case "AT+CREG?": return ReadRegistration("+CREG", info);
                case "AT+CGREG?": return ReadRegistration("+CGREG", info);
                case "AT+CEREG?": return _options.SupportsCereg ? ReadRegistration("+CEREG", info) : "ERROR";
            }
            if (string.Equals(command, _options.IccidCommand, StringComparison.OrdinalIgnoreCase))
            {
                if (!SimPresent) return CmeError(CmeErrorCode.SimNotInserted);
                info.Add($"{command[2..]}: {_options.Iccid}");
                return "OK";
            }
            if (command.StartsWith("AT+CMEE=", StringComparison.Ordinal) && int.TryParse(command[8..], NumberStyles.None, CultureInfo.InvariantCulture, out var mode) && mode is >= 0 and <= 2)
            {
                _cmee = mode;
                return "OK";
            }
            foreach (var name in (string[])["+CREG", "+CGREG", "+CEREG"])
            {
                if (command.StartsWith($"AT{name}=", StringComparison.Ordinal) && int.TryParse(command[(name.Length + 3)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 2)
                {
                    if (name == "+CEREG" && !_options.SupportsCereg) return "ERROR";
                    _registrationMode[name] = n;
                    return "OK";
                }
            }
            return "ERROR";
        }
    }

    private bool IsRegistered => SimPresent && Registration is RegistrationState.RegisteredHome or RegistrationState.RegisteredRoaming;

    /// <summary>TS 27.007 7.2 / 10.1.22 read form: n,stat, and with n=2 the LAC/TAC, cell id and AcT when registered.</summary>
    private string ReadRegistration(string name, List<string> info)
    {
        var n = _registrationMode[name];
        var stat = SimPresent ? (int)Registration : (int)RegistrationState.NotRegistered;
        info.Add(n == 2 && IsRegistered
            ? $"{name}: {n},{stat},\"00C3\",\"0000A13B\",{(int)Technology}"
            : $"{name}: {n},{stat}");
        return "OK";
    }

    private int NextRssi()
    {
        if (Rssi == SignalQuality.NotKnown || RssiWobble <= 0) return Rssi;
        return Math.Clamp(Rssi + _random.Next(-RssiWobble, RssiWobble + 1), 0, 31);
    }

    /// <summary>TS 27.007 9.1: AT+CMEE=0 plain ERROR, 1 the number, 2 the text.</summary>
    private string CmeError(CmeErrorCode code) => _cmee switch
    {
        1 => $"+CME ERROR: {(int)code}",
        2 => $"+CME ERROR: {CmeErrorTexts.Describe((int)code)}",
        _ => "ERROR",
    };
}
