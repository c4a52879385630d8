using System.Net;
using System.Net.Sockets;

namespace VectorDb.Tests.Support;

/// <summary>
/// Loopback TCP ports for servers a test starts on ports it must name in advance (Orleans silos and gateways, a
/// redis-server, a REST listener). Asking the OS for port 0 and releasing it returns an ephemeral port, which the
/// kernel may hand to any outgoing connection (a silo dialling another, a gRPC client) before the server binds it: the
/// start then fails with "address already in use". These ports come from below the ephemeral range instead
/// (/proc/sys/net/ipv4/ip_local_port_range; 32768 where it cannot be read), where the kernel never assigns a port on
/// its own, and each is checked free by binding it. Another process could still bind one between the check and the
/// server's start, but only on purpose, not by the kernel's choice.
/// </summary>
public static class TestPorts
{
    private const int Lowest = 10_000;
    private static readonly object Gate = new();
    private static readonly Random Random = new(Environment.ProcessId); // per process, so parallel test runs differ
    private static readonly HashSet<int> Given = [];

    /// <summary><paramref name="count"/> distinct free loopback ports, none given before in this process.</summary>
    public static int[] Free(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int end = EphemeralStart();
        var ports = new List<int>(count);
        lock (Gate)
        {
            for (int attempt = 0; ports.Count < count; attempt++)
            {
                if (attempt > 10_000)
                {
                    throw new InvalidOperationException($"no {count} free loopback ports in [{Lowest}, {end}).");
                }
                int port = Random.Next(Lowest, end);
                if (!Given.Contains(port) && CanBind(port))
                {
                    Given.Add(port);
                    ports.Add(port);
                }
            }
        }
        return [.. ports];
    }

    /// <summary>One port (<see cref="Free"/>).</summary>
    public static int One() => Free(1)[0];

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralStart()
    {
        try
        {
            string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], out int start) && start > Lowest + 1_000 ? start : 32_768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
