using Google.Protobuf;
using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;
using Xunit.Abstractions;

namespace VectorDb.Server.Tests;

/// <summary>
/// Issue 12, item 5: every refusal a client can cause gets a specific status with a message, never UNKNOWN: a message
/// below MaxMessageBytes but above Kestrel's default body limit (30,000,000 bytes) is served; bytes protobuf cannot
/// parse and bodies with broken gRPC framing get INVALID_ARGUMENT. Real Kestrel on 127.0.0.1; hand-framed HTTP/2 requests for the unparsable bodies.
/// </summary>
public sealed class MessageStatusTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private InProcessServer _server = null!;
    private VectorDbClient _client = null!;
    private readonly RawGrpc _raw = new();

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        _client = _server.Client();
        await _client.CreateCollectionAsync("c", 4, Distance.Euclid);
        await _client.UpsertAsync("c", Enumerable.Range(1, 10).Select(i => VectorDbClient.Point((ulong)i, new float[] { i, 0, 0, 1 })));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _raw.Dispose();

    /// <summary>Message bytes protobuf refuses, each sent as an UpsertPointsRequest.</summary>
    private static readonly Dictionary<string, byte[]> s_unparsable = new()
    {
        ["garbage bytes"] = [.. Enumerable.Repeat((byte)0xFF, 64)],
        ["zero tag"] = [0x00, 0x01],
        ["invalid wire type 7"] = [0x0F, 0x01],
        ["length beyond the message"] = [0x0A, 0x64, (byte)'c'],
        ["truncated varint"] = [0x10, 0xFF, 0xFF],
        ["invalid UTF-8 in collection_name"] = [0x0A, 0x02, 0xC3, 0x28],
        ["invalid UTF-8 in a payload key"] = PointWithPayloadKey([0xF0, 0x28, 0x8C, 0x28]),
        ["nesting beyond protobuf's recursion limit"] = DeeplyNested(150),
        ["truncated valid request"] = Truncated(),
    };

    public static TheoryData<string> UnparsableCases => [.. s_unparsable.Keys];

    [Theory]
    [MemberData(nameof(UnparsableCases))]
    public async Task UnparsableMessage_GetsInvalidArgument_AndChangesNothing(string name)
    {
        string before = await SnapshotAsync();
        foreach (string method in new[] { "/vectordb.v1.Points/Upsert", "/vectordb.v1.Points/UpsertStream" })
        {
            var reply = await _raw.CallAsync(_server.Address, method, RawGrpc.Frame(s_unparsable[name]));
            output.WriteLine($"{name} → {method}: {reply}");
            Assert.Equal(StatusCode.InvalidArgument, reply.Status);
            Assert.Contains("cannot be parsed", reply.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>Request bodies whose gRPC framing (5-byte prefix: flag, big-endian length) is broken, for a unary and
    /// a client-streaming method; null where the body is valid for that method.</summary>
    private static readonly Dictionary<string, (byte[]? Unary, byte[]? Stream)> s_badFraming = BadFraming();

    public static TheoryData<string> BadFramingCases => [.. s_badFraming.Keys];

    [Theory]
    [MemberData(nameof(BadFramingCases))]
    public async Task BrokenFraming_GetsInvalidArgument_AndChangesNothing(string name)
    {
        string before = await SnapshotAsync();
        var (unary, stream) = s_badFraming[name];
        foreach (var (method, body) in new[] { ("/vectordb.v1.Points/Upsert", unary), ("/vectordb.v1.Points/UpsertStream", stream) })
        {
            if (body is null)
            {
                continue;
            }
            var reply = await _raw.CallAsync(_server.Address, method, body);
            output.WriteLine($"{name} → {method}: {reply}");
            Assert.Equal(StatusCode.InvalidArgument, reply.Status);
            Assert.Contains("not a valid sequence of gRPC messages", reply.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, await SnapshotAsync());
    }

    private static Dictionary<string, (byte[]?, byte[]?)> BadFraming()
    {
        byte[] framed = RawGrpc.Frame(new UpsertPointsRequest { CollectionName = "c", Points = { VectorDbClient.Point(60, [1f, 2f, 3f, 4f]) } }.ToByteArray());
        return new()
        {
            ["length prefix beyond the body"] = (framed[..^2], framed[..^2]),
            ["partial prefix"] = (framed[..3], framed[..3]),
            ["empty body"] = ([], null),
            ["two messages in a unary call"] = ([.. framed, .. framed], null),
            ["compressed flag without grpc-encoding"] = ([1, .. framed[1..]], [1, .. framed[1..]]),
            ["flag byte 7"] = ([7, .. framed[1..]], [7, .. framed[1..]]),
        };
    }

    /// <summary>41 MB: above Kestrel's default request body limit, below the documented 64 MiB MaxMessageBytes.</summary>
    [Fact]
    public async Task UpsertBetweenKestrelsDefaultBodyLimitAndMaxMessageBytes_IsServed()
    {
        const int dimension = 1024, points = 10_000;
        await _client.CreateCollectionAsync("big", dimension, Distance.Dot);
        var row = new float[dimension];
        var batch = Enumerable.Range(0, points).Select(i =>
        {
            row[i % dimension] = i + 1;
            return VectorDbClient.Point((ulong)i, row);
        }).ToList();
        int bytes = new UpsertPointsRequest { CollectionName = "big", Points = { batch } }.CalculateSize();
        Assert.InRange(bytes, 30_000_001, 64 << 20);
        await _client.UpsertAsync("big", batch, wait: false);
        Assert.Equal((ulong)points, await _client.CountAsync("big"));
    }

    [Fact]
    public async Task MessageAboveMaxMessageBytes_GetsResourceExhausted()
    {
        // The length prefix alone announces 65 MiB; gRPC refuses from the prefix, before reading the body.
        var framed = RawGrpc.Frame([0x0A, 0x01, (byte)'c']);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (65u << 20));
        var reply = await _raw.CallAsync(_server.Address, "/vectordb.v1.Points/Upsert", framed);
        Assert.Equal(StatusCode.ResourceExhausted, reply.Status);
    }

    private static byte[] PointWithPayloadKey(byte[] key)
    {
        // PointStruct.payload (field 3) map entry: key (field 1, string), value (field 2, Value) with integer_value.
        byte[] value = new Value { IntegerValue = 1 }.ToByteArray();
        byte[] entry = [0x0A, (byte)key.Length, .. key, 0x12, (byte)value.Length, .. value];
        byte[] point = [.. VectorDbClient.Point(50, [1f, 2f, 3f, 4f]).ToByteArray(), 0x1A, (byte)entry.Length, .. entry];
        var request = new UpsertPointsRequest { CollectionName = "c" }.ToByteArray();
        return [.. request, 0x1A, (byte)point.Length, .. point];
    }

    /// <summary>A point whose payload value nests <paramref name="depth"/> list values (protobuf's default limit is 100).</summary>
    private static byte[] DeeplyNested(int depth)
    {
        var value = new Value { IntegerValue = 1 };
        for (int i = 0; i < depth; i++)
        {
            var list = new ListValue();
            list.Values.Add(value);
            value = new Value { ListValue = list };
        }
        var point = VectorDbClient.Point(51, [1f, 2f, 3f, 4f], new Dictionary<string, Value> { ["deep"] = value });
        return new UpsertPointsRequest { CollectionName = "c", Points = { point } }.ToByteArray();
    }

    private static byte[] Truncated()
    {
        byte[] whole = new UpsertPointsRequest { CollectionName = "c", Points = { VectorDbClient.Point(52, [1f, 2f, 3f, 4f]) } }.ToByteArray();
        return whole[..(whole.Length - 3)];
    }

    private async Task<string> SnapshotAsync()
    {
        ulong count = await _client.CountAsync("c");
        var hits = await _client.SearchAsync("c", new float[] { 0, 0, 0, 0 }, 100);
        return $"{count}|" + string.Join(";", hits.OrderBy(h => h.Id.Num).Select(h => $"{h.Id.Num}:{h.Score}"));
    }
}
