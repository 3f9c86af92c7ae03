namespace Dcu.Drivers.Dlt645;

/// <summary>One daily freeze: when (the meter's local time) and the forward/reverse active energy, [0] total, [n] tariff n, in kWh.</summary>
public sealed record Dlt645DailyFrozen(DateTime FrozenAt, IReadOnlyList<decimal> ForwardActiveKwh, IReadOnlyList<decimal> ReverseActiveKwh);
