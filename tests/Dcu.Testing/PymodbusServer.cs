using System.Diagnostics;
using System.Text;

namespace Dcu.Testing;

/// <summary>
/// A pymodbus RTU server (Debian's python3-pymodbus 3.0) on a serial port or pty, run from
/// <c>tests/Dcu.Testing/scripts/modbus_rtu_server.py</c>. Units in <c>units</c> serve SDM630-like
/// float32 registers (230.2 V at 0x0000, 1234.5 kWh at 0x0048, 1000 + unit W at 0x0034; see the
/// script); units in <c>exceptionUnits</c> answer every read with exception 02; other ids are silent.
/// <see cref="StartAsync"/> returns once the script printed "READY"; disposing kills it.
/// </summary>
public sealed class PymodbusServer : IAsyncDisposable, IDisposable
{
    /// <summary>pymodbus is installed for the system python only (/usr/lib/python3/dist-packages), not for a pyenv python3 on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    public const string ScriptRelativePath = "tests/Dcu.Testing/scripts/modbus_rtu_server.py";

    /// <summary>Known values served by every normal unit.</summary>
    public const float VoltageL1 = 230.2f;
    public const ushort VoltageL1Address = 0x0000;
    public const float ImportKwh = 1234.5f;
    public const ushort ImportKwhAddress = 0x0048;
    public const float Frequency = 50.0f;
    public const ushort FrequencyAddress = 0x0046;
    public const ushort TotalPowerAddress = 0x0034;

    private readonly Process _process;
    private readonly StringBuilder _output;

    private PymodbusServer(Process process, StringBuilder output, string port)
    {
        _process = process;
        _output = output;
        Port = port;
    }

    public string Port { get; }

    /// <summary>The script's stdout and stderr so far.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Total power (W) unit <paramref name="unit"/> serves at 0x0034.</summary>
    public static float TotalPowerOf(byte unit) => 1000f + unit;

    public static async Task<PymodbusServer> StartAsync(
        string port, IEnumerable<byte> units, IEnumerable<byte>? exceptionUnits = null, int baudRate = 9600, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(units);
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} not found: the pymodbus integration tests need Debian's python3 and python3-pymodbus (apt-get install python3-pymodbus socat)");
        var script = LocateScript();

        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port);
        info.ArgumentList.Add("--units");
        info.ArgumentList.Add(string.Join(',', units));
        info.ArgumentList.Add("--exception-units");
        info.ArgumentList.Add(string.Join(',', exceptionUnits ?? []));
        info.ArgumentList.Add("--baudrate");
        info.ArgumentList.Add(baudRate.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Keep a pyenv or virtualenv from shadowing the system site-packages.
        info.Environment.Remove("PYTHONPATH");
        info.Environment.Remove("PYTHONHOME");

        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Trim() == "READY") ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("pymodbus server exited before READY"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new PymodbusServer(process, output, port);
        try
        {
            await ready.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
            return server;
        }
        catch (Exception ex)
        {
            // Let the output drain so the message shows the Python traceback.
            process.WaitForExit(1_000);
            var text = server.Output;
            server.Dispose();
            var hint = text.Contains("No module named", StringComparison.Ordinal)
                ? " (is python3-pymodbus installed? apt-get install python3-pymodbus)" : "";
            throw new InvalidOperationException($"pymodbus server on {port} did not become ready{hint}: {ex.Message}\n{text}", ex);
        }
    }

    /// <summary>Finds the script next to the test binaries' repository, walking up from the output directory.</summary>
    public static string LocateScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ScriptRelativePath);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{ScriptRelativePath} not found above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
