using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Dcu.Drivers.Mqtt;

/// <summary>TLS settings for the uplink: CA PEM as the trust anchor, PEM client certificate, host name check.</summary>
internal static class MqttTls
{
    public static Action<MqttClientTlsOptionsBuilder> Configure(MqttUplinkOptions options)
    {
        // Loaded on every connect so that renewed certificate files are picked up without a restart.
        var trust = LoadCaCertificates(options.CaCertificatePath);
        var clientCertificates = new X509Certificate2Collection();
        if (options.ClientCertificatePath is not null && options.ClientKeyPath is not null)
            clientCertificates.Add(LoadClientCertificate(options.ClientCertificatePath, options.ClientKeyPath));

        return tls =>
        {
            tls.UseTls()
               .WithTargetHost(options.Host)
               .WithAllowUntrustedCertificates(options.AllowUntrustedCertificates)
               .WithCertificateValidationHandler(e => Validate(e.Certificate, e.SslPolicyErrors, trust, options.AllowUntrustedCertificates));
            if (clientCertificates.Count > 0) tls.WithClientCertificates(clientCertificates);
            if (trust is not null) tls.WithTrustChain(trust);
        };
    }

    /// <summary>
    /// The name must match; the chain must end at the configured CA (or the system store when none is configured).
    /// </summary>
    internal static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? trust, bool allowUntrusted)
    {
        if (allowUntrusted) return true;
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0) return false;
        if (trust is null) return false;

        // Only chain errors are left: rebuild the chain against our own CA.
        using var serverCertificate = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(serverCertificate);
    }

    static X509Certificate2Collection? LoadCaCertificates(string? path)
    {
        if (path is null) return null;
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        if (collection.Count == 0) throw new InvalidOperationException($"Mqtt:CaCertificatePath {path} holds no PEM certificate");
        return collection;
    }

    static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath)
    {
        // A PEM-loaded key is ephemeral; SslStream wants a certificate whose key it can use for the
        // handshake on every platform, so round-trip through PKCS#12 once.
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }
}
