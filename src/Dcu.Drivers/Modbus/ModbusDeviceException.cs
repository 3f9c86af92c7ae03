using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Modbus;

/// <summary>The device answered with a Modbus exception response. <see cref="MeterProtocolException.Reason"/> is "exception_XX".</summary>
public sealed class ModbusDeviceException : MeterProtocolException
{
    public ModbusDeviceException(byte unit, ModbusFunction function, ModbusExceptionCode code)
        : base($"exception_{(byte)code:X2}", $"Unit {unit} answered {function} with exception {(byte)code:X2} ({code})")
    {
        Unit = unit;
        Function = function;
        Code = code;
    }

    public ModbusDeviceException()
        : this(0, ModbusFunction.ReadHoldingRegisters, ModbusExceptionCode.ServerDeviceFailure)
    {
    }

    public ModbusDeviceException(string message)
        : base("exception", message)
    {
    }

    public ModbusDeviceException(string message, Exception inner)
        : base("exception", message, inner)
    {
    }

    public byte Unit { get; }

    public ModbusFunction Function { get; }

    public ModbusExceptionCode Code { get; }

    /// <summary>Acknowledge (05) and server busy (06) say "ask again later": the only exceptions worth a retry.</summary>
    public bool IsTransient => Code is ModbusExceptionCode.Acknowledge or ModbusExceptionCode.ServerDeviceBusy;
}
