using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Dlt645;

/// <summary>The meter answered with an abnormal reply. <see cref="MeterProtocolException.Reason"/> is e.g. "dlt645_no_data".</summary>
public sealed class Dlt645MeterException : MeterProtocolException
{
    public Dlt645MeterException(Dlt645Address address, Dlt645Function function, Dlt645DataId? dataId, Dlt645ErrorWord errorWord)
        : base(errorWord.ToReason(), $"Meter {address} answered {function}{(dataId is { } di ? $" {(uint)di:X8}" : "")} with error word {(byte)errorWord:X2}: {errorWord.Describe()}")
    {
        Address = address;
        Function = function;
        DataId = dataId;
        ErrorWord = errorWord;
    }

    public Dlt645MeterException()
        : this(default, Dlt645Function.ReadData, null, Dlt645ErrorWord.Other)
    {
    }

    public Dlt645MeterException(string message)
        : base("dlt645_error", message)
    {
    }

    public Dlt645MeterException(string message, Exception inner)
        : base("dlt645_error", message, inner)
    {
    }

    public Dlt645Address Address { get; }

    public Dlt645Function Function { get; }

    public Dlt645DataId? DataId { get; }

    public Dlt645ErrorWord ErrorWord { get; }
}
