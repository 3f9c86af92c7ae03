namespace Dcu.Drivers.Dlt645;

/// <summary>
/// The error byte of an abnormal reply (D1H, DCH, ...), DL/T 645-2007 7.1.6 / table of
/// "错误信息字 ERR". Bit 7 is reserved.
/// </summary>
[Flags]
public enum Dlt645ErrorWord : byte
{
    None = 0,

    /// <summary>Bit 0: other error.</summary>
    Other = 0x01,

    /// <summary>Bit 1: no requested data (the meter does not have this DI).</summary>
    NoRequestedData = 0x02,

    /// <summary>Bit 2: wrong password / not authorised.</summary>
    Unauthorized = 0x04,

    /// <summary>Bit 3: the baud rate cannot be changed.</summary>
    BaudRateUnchangeable = 0x08,

    /// <summary>Bit 4: too many year time zones.</summary>
    TooManyYearZones = 0x10,

    /// <summary>Bit 5: too many day time periods.</summary>
    TooManyDayPeriods = 0x20,

    /// <summary>Bit 6: too many tariffs.</summary>
    TooManyTariffs = 0x40,
}

public static class Dlt645ErrorWordExtensions
{
    /// <summary>One stable reason token, the most telling flag first: "dlt645_no_data", "dlt645_unauthorized", ...</summary>
    public static string ToReason(this Dlt645ErrorWord word) =>
        (word & Dlt645ErrorWord.NoRequestedData) != 0 ? "dlt645_no_data"
        : (word & Dlt645ErrorWord.Unauthorized) != 0 ? "dlt645_unauthorized"
        : (word & Dlt645ErrorWord.BaudRateUnchangeable) != 0 ? "dlt645_baud_unchangeable"
        : (word & Dlt645ErrorWord.TooManyYearZones) != 0 ? "dlt645_too_many_year_zones"
        : (word & Dlt645ErrorWord.TooManyDayPeriods) != 0 ? "dlt645_too_many_day_periods"
        : (word & Dlt645ErrorWord.TooManyTariffs) != 0 ? "dlt645_too_many_tariffs"
        : (word & Dlt645ErrorWord.Other) != 0 ? "dlt645_other"
        : "dlt645_error";

    /// <summary>Human-readable meaning of every flag set, for results and logs: "password wrong or not authorised".</summary>
    public static string Describe(this Dlt645ErrorWord word)
    {
        if (word == Dlt645ErrorWord.None) return "error reply without a reason";
        var parts = new List<string>();
        if ((word & Dlt645ErrorWord.Unauthorized) != 0) parts.Add("password wrong or not authorised");
        if ((word & Dlt645ErrorWord.NoRequestedData) != 0) parts.Add("no such data");
        if ((word & Dlt645ErrorWord.BaudRateUnchangeable) != 0) parts.Add("baud rate cannot change");
        if ((word & Dlt645ErrorWord.TooManyYearZones) != 0) parts.Add("too many year zones");
        if ((word & Dlt645ErrorWord.TooManyDayPeriods) != 0) parts.Add("too many day periods");
        if ((word & Dlt645ErrorWord.TooManyTariffs) != 0) parts.Add("too many tariffs");
        if ((word & Dlt645ErrorWord.Other) != 0) parts.Add("other error (e.g. command not allowed in this state, deadline passed, ESAM required)");
        if (((byte)word & 0x80) != 0) parts.Add("reserved bit 7");
        return string.Join("; ", parts);
    }
}
