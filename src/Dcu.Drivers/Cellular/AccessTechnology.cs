namespace Dcu.Drivers.Cellular;

/// <summary><c>&lt;AcT&gt;</c> of +COPS (TS 27.007 7.3), also reported by +CREG/+CGREG/+CEREG with n=2.</summary>
public enum AccessTechnology
{
    Gsm = 0,
    GsmCompact = 1,
    Utran = 2,
    GsmEgprs = 3,
    UtranHsdpa = 4,
    UtranHsupa = 5,
    UtranHspa = 6,
    EUtran = 7,
    EcGsmIot = 8,
    EUtranNbS1 = 9,
    EUtra5Gcn = 10,
    Nr5Gcn = 11,
    NgRan = 12,
    EUtraNrDual = 13,
}
