namespace Dcu.Drivers.Plc;

/// <summary>Which edition's data-unit layouts to speak where they differ (AFN 13 F1, AFN 11 F1).</summary>
public enum Q13762Edition
{
    /// <summary>Q/GDW 376.2-2009: AFN 13 F1 without the delay flag and the uplink duration; AFN 11 F1 with a node index.</summary>
    V2009,

    /// <summary>Q/GDW 1376.2-2013.</summary>
    V2013,
}
