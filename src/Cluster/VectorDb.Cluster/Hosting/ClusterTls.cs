using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// Mutual TLS on Orleans' connections (silo to silo, and Orleans clients to a silo's gateway) with one certificate that
/// every member holds: each side presents it and accepts only a peer presenting the same one (pinned by its SHA-256
/// hash; self-signed is fine, the chain is not consulted). Who holds the certificate's private key is a member: keep
/// the file as secret as an API key. Messages are encrypted and a process without the certificate can neither join,
/// nor call grains, nor read the traffic.
/// </summary>
public static class ClusterTls
{
    /// <summary>The certificate with its private key from a PKCS#12 (.pfx) file.</summary>
    /// <param name="path">The .pfx file.</param>
    /// <param name="password">Its password (null or empty: none).</param>
    public static X509Certificate2 Load(string path, string? password) =>
        X509CertificateLoader.LoadPkcs12FromFile(path, string.IsNullOrEmpty(password) ? null : password);

    /// <summary>Silo-to-silo and gateway connections require <paramref name="certificate"/> on both sides.</summary>
    public static ISiloBuilder UseVectorDbTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, options => Pin(options, certificate));

    /// <summary>An Orleans client of a cluster that uses <see cref="UseVectorDbTls(ISiloBuilder, X509Certificate2)"/>.</summary>
    public static IClientBuilder UseVectorDbTls(this IClientBuilder client, X509Certificate2 certificate) =>
        client.UseTls(certificate, options => Pin(options, certificate));

    /// <summary>Whether <paramref name="presented"/> is the cluster's certificate (same SHA-256 hash).</summary>
    public static bool IsMember(X509Certificate2 presented, X509Certificate2 certificate) =>
        presented.GetCertHashString(HashAlgorithmName.SHA256) == certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private static void Pin(TlsOptions options, X509Certificate2 certificate)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Called with the chain's errors (a self-signed certificate has some); the pin alone decides.
        options.RemoteCertificateValidation = (presented, _, _) => IsMember(presented, certificate);
        string host = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = host;
    }
}
