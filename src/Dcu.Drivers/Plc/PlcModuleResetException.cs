using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Plc;

/// <summary>A request was in flight when the module reset; it will not be answered. Reason "module_reset".</summary>
public sealed class PlcModuleResetException : MeterProtocolException
{
    public PlcModuleResetException(string message) : base("module_reset", message) { }

    public PlcModuleResetException() : this("PLC module reset") { }

    public PlcModuleResetException(string message, Exception inner) : base("module_reset", message, inner) { }
}
