using System.Text;
using VectorDb.Datasets;
using VectorDb.Index.Common;
using VectorDb.Storage;
using VectorDb.Storage.CrashChild;

// Usage: VectorDb.Storage.CrashChild <storeRoot> <base.fvecs> <seed> <firstVersion>
// Ingests until killed; see CrashProtocol for the output lines.
// Or: VectorDb.Storage.CrashChild churn <storeRoot> <base.fvecs> <seed>: creates and drops collections until killed (ChurnChild).
if (args is ["churn", var churnRoot, var churnBase, var churnSeed])
{
    var churnVectors = Texmex.ReadFvecs(churnBase, 2000);
    return await ChurnChild.RunAsync(churnRoot, churnVectors.Values, churnVectors.Dimension, ulong.Parse(churnSeed));
}
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: VectorDb.Storage.CrashChild <storeRoot> <base.fvecs> <seed> <firstVersion>");
    return 2;
}
string root = args[0];
var vectors = Texmex.ReadFvecs(args[1], 2000);
ulong seed = ulong.Parse(args[2]);
ulong nextVersion = ulong.Parse(args[3]);

var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
var outputLock = new Lock();
void Emit(string lines)
{
    lock (outputLock)
    {
        output.Write(lines);
        output.Flush();
    }
}

using var store = VectorStore.Open(root, CrashProtocol.Options);
var manifest = CrashProtocol.Manifest(vectors.Dimension);
await using var collection = store.Exists(CrashProtocol.CollectionName)
    ? store.OpenCollection(CrashProtocol.CollectionName, manifest)
    : store.CreateCollection(CrashProtocol.CollectionName, manifest);
Emit("READY\n");

async Task WriterAsync(int writer)
{
    var rng = new SplitMix64(seed * 31 + (ulong)writer);
    var lines = new StringBuilder();
    while (true)
    {
        int count = 1 + rng.NextInt(48);
        lines.Clear();
        if (rng.NextInt(100) < 85)
        {
            var batch = new PointWrite[count];
            for (int i = 0; i < count; i++)
            {
                ulong id = (ulong)(rng.NextInt(CrashProtocol.IdRange / CrashProtocol.Writers) * CrashProtocol.Writers + writer);
                ulong version = Interlocked.Increment(ref nextVersion);
                batch[i] = CrashProtocol.Point(vectors.Values, vectors.Dimension, id, version);
                lines.Append($"I {writer} {id} {version}\n");
            }
            Emit(lines.ToString());
            await collection.UpsertAsync(batch, wait: true);
        }
        else
        {
            var ids = new ulong[count];
            for (int i = 0; i < count; i++)
            {
                ids[i] = (ulong)(rng.NextInt(CrashProtocol.IdRange / CrashProtocol.Writers) * CrashProtocol.Writers + writer);
                lines.Append($"D {writer} {ids[i]}\n");
            }
            Emit(lines.ToString());
            await collection.DeleteAsync(ids, wait: true);
        }
        Emit($"A {writer}\n");
    }
}

async Task CompactorAsync()
{
    var rng = new SplitMix64(seed ^ 0xC0FFEE);
    while (true)
    {
        await Task.Delay(100 + rng.NextInt(300));
        Emit("C+\n");
        await collection.CompactAsync();
        Emit("C-\n");
    }
}

async Task CheckpointerAsync()
{
    var rng = new SplitMix64(seed ^ 0xF1u);
    while (true)
    {
        await Task.Delay(50 + rng.NextInt(200));
        Emit("F+\n");
        await collection.FlushAsync();
        Emit("F-\n");
    }
}

var tasks = Enumerable.Range(0, CrashProtocol.Writers).Select(w => Task.Run(() => WriterAsync(w)))
    .Append(Task.Run(CompactorAsync)).Append(Task.Run(CheckpointerAsync)).ToArray();
await Task.WhenAny(tasks);
foreach (var task in tasks.Where(t => t.IsFaulted))
    Console.Error.WriteLine(task.Exception);
return 1;
