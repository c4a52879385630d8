using System.Text;
using VectorDb.Datasets;
using VectorDb.Index.Common;
using VectorDb.Storage;
using VectorDb.Storage.CrashChild;

// Usage: VectorDb.Storage.CrashChild <storeRoot> <base.fvecs> <seed> <firstVersion> <point> <acksBeforeArming> <hit>
// Ingests (two writers, a compactor, a checkpointer) until killed; see CrashProtocol for the output lines. After
// <acksBeforeArming> acknowledged batches it stops at the <hit>-th visit of crash point <point> and prints "K <point>"
// (CrashStop); the test kills it there.
// Or: VectorDb.Storage.CrashChild churn <storeRoot> <base.fvecs> <seed> <point> <hit>: creates and drops collections
// until killed (ChurnChild), stopping the same way.
if (args is ["churn", var churnRoot, var churnBase, var churnSeed, var churnPoint, var churnHit])
{
    var churnVectors = Texmex.ReadFvecs(churnBase, 2000);
    return await ChurnChild.RunAsync(churnRoot, churnVectors.Values, churnVectors.Dimension, ulong.Parse(churnSeed),
        churnPoint, int.Parse(churnHit));
}
if (args.Length != 7)
{
    Console.Error.WriteLine("usage: VectorDb.Storage.CrashChild <storeRoot> <base.fvecs> <seed> <firstVersion> <point> <acksBeforeArming> <hit>");
    return 2;
}
string root = args[0];
var vectors = Texmex.ReadFvecs(args[1], 2000);
ulong seed = ulong.Parse(args[2]);
ulong nextVersion = ulong.Parse(args[3]);
int acksBeforeArming = int.Parse(args[5]);

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

var stop = new CrashStop(args[4], int.Parse(args[6]), Emit);
if (acksBeforeArming == 0)
    stop.Arm();
int acks = 0;
// Compactions and checkpoints are paced by acknowledged batches, not by time: each waits for a seeded number of
// acks, so how much was written before each one does not depend on the machine's speed.
using var compactionDue = new SemaphoreSlim(0);
using var checkpointDue = new SemaphoreSlim(0);

using var store = CollectionCatalogue.Open(root, stop.Options);
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
        Emit($"A {writer}\n"); // printed before the count below: every ack that armed the stop is in the output
        if (Interlocked.Increment(ref acks) == acksBeforeArming)
            stop.Arm();
        compactionDue.Release();
        checkpointDue.Release();
    }
}

async Task CompactorAsync()
{
    var rng = new SplitMix64(seed ^ 0xC0FFEE);
    while (true)
    {
        for (int wait = 2 + rng.NextInt(7); wait > 0; wait--)
            await compactionDue.WaitAsync();
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
        for (int wait = 1 + rng.NextInt(4); wait > 0; wait--)
            await checkpointDue.WaitAsync();
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
