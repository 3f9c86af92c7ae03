using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dcu.Testing;

/// <summary>
/// A throwaway PKI for TLS tests: a CA, a server certificate for 127.0.0.1/localhost and a client
/// certificate, all ECDSA P-256, written as PEM files to a temp dir that is deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    TestCertificates(DirectoryInfo dir) => Directory = dir.FullName;

    public string Directory { get; }
    public string CaCertFile => Path.Combine(Directory, "ca.crt");
    public string ServerCertFile => Path.Combine(Directory, "server.crt");
    public string ServerKeyFile => Path.Combine(Directory, "server.key");
    public string ClientCertFile => Path.Combine(Directory, "client.crt");
    public string ClientKeyFile => Path.Combine(Directory, "client.key");
    /// <summary>A client certificate signed by a CA the broker does not trust.</summary>
    public string RogueClientCertFile => Path.Combine(Directory, "rogue.crt");
    public string RogueClientKeyFile => Path.Combine(Directory, "rogue.key");

    public static TestCertificates Create(string clientName = "dcu-test")
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("dcu-certs-");
        var certs = new TestCertificates(dir);
        var now = DateTimeOffset.UtcNow;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=DCU Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        File.WriteAllText(certs.CaCertFile, ca.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        Issue(ca, "CN=localhost", san.Build(), serverAuth: true, certs.ServerCertFile, certs.ServerKeyFile, now);
        Issue(ca, $"CN={clientName}", null, serverAuth: false, certs.ClientCertFile, certs.ClientKeyFile, now);

        using var rogueKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rogueRequest = new CertificateRequest("CN=Rogue CA", rogueKey, HashAlgorithmName.SHA256);
        rogueRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rogueRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var rogueCa = rogueRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        Issue(rogueCa, $"CN={clientName}", null, serverAuth: false, certs.RogueClientCertFile, certs.RogueClientKeyFile, now);
        return certs;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }

    static void Issue(X509Certificate2 issuer, string subject, X509Extension? san, bool serverAuth, string certFile, string keyFile, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        var usage = new OidCollection { new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") };
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usage, false));
        if (san is not null) request.CertificateExtensions.Add(san);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, now.AddMinutes(-5), now.AddDays(1), serial);
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
