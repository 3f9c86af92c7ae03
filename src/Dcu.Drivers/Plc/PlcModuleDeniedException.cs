using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Plc;

/// <summary>The module answered AFN 00 F2 (deny). <see cref="MeterProtocolException.Reason"/> is "plc_deny_XX".</summary>
public sealed class PlcModuleDeniedException : MeterProtocolException
{
    public PlcModuleDeniedException(Q13762DenyCode code, Q13762Afn afn, Q13762Fn fn)
        : base($"plc_deny_{(byte)code:x2}", $"PLC module denied AFN {(byte)afn:X2} {fn}: {code}")
    {
        Code = code;
        Afn = afn;
        Fn = fn;
    }

    public PlcModuleDeniedException() : this(Q13762DenyCode.FormatError, Q13762Afn.Confirm, Q13762Fn.F2) { }

    public PlcModuleDeniedException(string message) : base("plc_deny", message) { }

    public PlcModuleDeniedException(string message, Exception inner) : base("plc_deny", message, inner) { }

    public Q13762DenyCode Code { get; }

    public Q13762Afn Afn { get; }

    public Q13762Fn Fn { get; }

    /// <summary>The relayed meter did not answer (timeout, no application answer, slave not answering).</summary>
    public bool MeterSilent => Code is Q13762DenyCode.CommunicationTimeout or Q13762DenyCode.MeterNoAnswer or Q13762DenyCode.SlaveNodeNoAnswer;

    /// <summary>The module does not know the node: its route table is out of step with the archive.</summary>
    public bool NodeUnknown => Code is Q13762DenyCode.MeterMissing or Q13762DenyCode.SlaveNodeNotInNetwork;
}
