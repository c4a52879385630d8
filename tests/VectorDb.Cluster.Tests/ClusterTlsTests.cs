using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Hosting;
using VectorDb.Cluster.Tests.Support;

namespace VectorDb.Cluster.Tests;

/// <summary>
/// <c>--silo-certificate</c>: two nodes with one self-signed certificate (made here) form a cluster over mutual TLS and
/// serve writes that cross silos; their silo and gateway ports complete a TLS handshake only with a peer presenting that
/// certificate, and drop one presenting another certificate or none.
/// </summary>
public sealed class ClusterTlsTests
{
    private const string Password = "test-password";

    [Fact]
    public async Task Nodes_with_the_certificate_form_a_cluster_and_refuse_peers_without_it()
    {
        using var folder = new TempDirectory("vectordb-tls");
        using var certificate = SelfSigned("vectordb-cluster-test");
        using var intruder = SelfSigned("vectordb-cluster-test"); // same name, different key: must be refused
        string path = Path.Combine(folder.Path, "cluster.pfx");
        await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pkcs12, Password));
        using var loaded = ClusterTls.Load(path, Password);

        await using var cluster = await LocalCluster.StartAsync(2, TimeSpan.FromSeconds(30), ["--shards", "4", "--replicas", "2", "--silo-certificate", path],
            new Dictionary<string, string> { ["VectorDb__Cluster__TlsCertificatePassword"] = Password }, client => client.UseVectorDbTls(loaded));
        using var grpc = new VectorDbClient(cluster.Silos[1].GrpcAddress);
        await grpc.CreateCollectionAsync("docs", 4, Distance.Cosine);
        await grpc.UpsertAsync("docs", Enumerable.Range(0, 200).Select(i => VectorDbClient.Point((ulong)i, [1, i, 0, 0.5f])));
        Assert.Equal(200UL, await grpc.CountAsync("docs"));
        var map = (await cluster.Client.GetGrain<IShardMapGrain>("docs").Get())!; // through the TLS gateway
        string[] silos = [await cluster.Silos[0].Ready, await cluster.Silos[1].Ready];
        Assert.All(map.Shards, a => Assert.Equal(silos.Order(), a.InSync.Order())); // both copies of every shard, on both silos

        foreach (int port in (int[])[cluster.Silos[0].SiloPort, cluster.Silos[0].GatewayPort])
        {
            Assert.True(await AcceptedAsync(port, loaded, loaded, expectAccepted: true), $"port {port} refused the cluster's certificate");
            Assert.False(await AcceptedAsync(port, intruder, loaded, expectAccepted: false), $"port {port} accepted another certificate");
            Assert.False(await AcceptedAsync(port, null, loaded, expectAccepted: false), $"port {port} accepted a peer without a certificate");
        }
    }

    /// <summary>Connects to <paramref name="port"/> over TLS presenting <paramref name="clientCertificate"/>: true when
    /// the handshake completes with the server presenting the cluster's certificate and the server keeps the connection
    /// open; false when the handshake fails or the server then drops the connection (under TLS 1.3 a server refuses a
    /// client's certificate after the client has finished its side of the handshake, so a read then ends).</summary>
    private static async Task<bool> AcceptedAsync(int port, X509Certificate2? clientCertificate, X509Certificate2 cluster, bool expectAccepted)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "vectordb-cluster-test",
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is X509Certificate2 server && ClusterTls.IsMember(server, cluster),
            });
            if (expectAccepted)
            {
                return true; // what the accepted connection carries is shown by the cluster working over it
            }
            // A refused client sees the connection end; an accepted one would see silence (Orleans waits for the client
            // to speak first), which the hang guard turns into "accepted".
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                return await tls.ReadAsync(new byte[1], guard.Token) > 0;
            }
            catch (OperationCanceledException)
            {
                return true;
            }
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            return false;
        }
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Re-imported from PKCS#12 so that the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12, Password), Password);
    }
}
