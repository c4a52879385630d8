using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;
using Xunit.Abstractions;

namespace VectorDb.Server.Tests;

/// <summary>
/// Issue 12, item 6 (names and echoed input): unsafe collection names are refused with INVALID_ARGUMENT before anything
/// reaches the disk, and no error detail echoes unbounded client input (a 100 KB name must not become a 100 KB
/// grpc-message, which clients reject as oversized metadata).
/// </summary>
public sealed class InputEchoAndNameTests(ITestOutputHelper output) : IAsyncLifetime
{
    private InProcessServer _server = null!;
    private VectorDbClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        _client = _server.Client();
        await _client.CreateCollectionAsync("c", 4, Distance.Dot);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    public static TheoryData<string> BadNames =>
    [
        "abc\n", "\nabc", "a\tb", "a\0b", "a\rb", "\u007f", "a\u0085b", "a b", " ", "", ".", "..", ".hidden", "a/b", "../x", "a\\b", "a:b",
        "a*b", "a?b", "é", "名前", "-leading-dash", "_leading", new string('a', 65), new string('x', 100_000),
    ];

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task UnsafeCollectionName_IsRefusedWithInvalidArgument_AndCreatesNothing(string name)
    {
        string[] before = Directory.GetFileSystemEntries(_server.DataDirectory);
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateCollectionAsync(name, 4, Distance.Dot));
        output.WriteLine($"{name.Length} chars → {e.StatusCode}: {e.Status.Detail.Length} chars of detail");
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("collection name", e.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.True(e.Status.Detail.Length <= VectorDb.Server.Interceptors.StatusDetail.MaxChars, $"detail of {e.Status.Detail.Length} chars");
        Assert.DoesNotContain(e.Status.Detail, char.IsControl);
        Assert.Equal(before, Directory.GetFileSystemEntries(_server.DataDirectory));
        Assert.Equal(["c"], await _client.ListCollectionsAsync());
    }

    [Fact]
    public async Task SafeNames_AtTheEdgesOfTheRule_AreAccepted()
    {
        foreach (string name in new[] { "a", "Z9", "a-b_c", new string('n', 64) })
        {
            await _client.CreateCollectionAsync(name, 4, Distance.Dot);
        }
        Assert.Equal(5, (await _client.ListCollectionsAsync()).Count);
    }

    /// <summary>Every call that names a collection, with a 100 KB name: a specific status and a bounded detail.</summary>
    [Fact]
    public async Task HugeNameInAnyCall_GetsABoundedDetail()
    {
        string huge = new('x', 100_000);
        var calls = new Func<Task>[]
        {
            () => _client.SearchAsync(huge, new float[] { 1, 2, 3, 4 }, 3),
            () => _client.CountAsync(huge),
            () => _client.UpsertAsync(huge, [VectorDbClient.Point(1, [1f, 2f, 3f, 4f])]),
            () => _client.DeleteCollectionAsync(huge),
            () => _client.GetAsync(huge, [1UL]),
            () => _client.Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = huge }).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument, e.Status.ToString()[..Math.Min(200, e.Status.ToString().Length)]);
            Assert.InRange(e.Status.Detail.Length, 1, VectorDb.Server.Interceptors.StatusDetail.MaxChars);
        }
        Assert.Equal(["c"], await _client.ListCollectionsAsync());
    }
}
