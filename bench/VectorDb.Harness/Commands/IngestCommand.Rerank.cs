using System.Diagnostics;
using System.Globalization;
using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Harness.Commands;

internal sealed partial class IngestCommand
{
    /// <summary>
    /// Two indexes over the stored collection's codes: one holding the float32 originals in memory (taken from the
    /// dataset rows the points were written from), one re-ranking from the blob log through
    /// <see cref="StoredCollection.ReadOriginals"/> (as an engine collection over its originals budget does).
    /// </summary>
    private sealed class RerankTwins : IDisposable
    {
        private static readonly (string Name, SearchOptions Options)[] s_modes =
        [
            ("auto", new SearchOptions(10, Reranking.Auto)),
            ("fixed x4", new SearchOptions(10, Reranking.Fixed, Oversampling: 4)),
        ];

        public RerankTwins(StoredCollection collection, VectorSet vectors, QuantizerOptions quantizer)
        {
            var options = new VectorIndexOptions(quantizer, Metric.InnerProduct, OriginalsFormat.Float32);
            Memory = new VectorIndex(options);
            Disk = new VectorIndex(options);
            Disk.UseExternalOriginals(new StoreReader(collection));
            collection.ForEachLiveAsync((id, _, codes) =>
            {
                Memory.UpsertEncoded(id, codes, vectors.Row((int)(id % (ulong)vectors.Count)));
                Disk.UpsertEncoded(id, codes, default);
            }).GetAwaiter().GetResult();
        }

        public VectorIndex Memory { get; }

        public VectorIndex Disk { get; }

        public static SearchOptions Auto => s_modes[0].Options;

        /// <summary>Checks that both return identical hits for every query and mode, then times each (single
        /// thread, at least one second per figure after one untimed pass). Returns whether all were identical.</summary>
        public bool Measure(VectorSet queries, List<string> reports)
        {
            bool identical = true;
            foreach (var (name, options) in s_modes)
            {
                long reranked = 0;
                for (int q = 0; q < queries.Count; q++)
                {
                    var a = Memory.Search(queries.Row(q), options);
                    var b = Disk.Search(queries.Row(q), options);
                    identical &= a.Hits.AsSpan().SequenceEqual(b.Hits) && a.Reranked == b.Reranked;
                    reranked += a.Reranked;
                }
                double memoryQps = Qps(Memory, queries, options);
                double diskQps = Qps(Disk, queries, options);
                reports.Add(string.Create(CultureInfo.InvariantCulture,
                    $"re-rank {name} (k=10, {(double)reranked / queries.Count:F1} originals per query): in memory {memoryQps:F0} QPS, from the blob log {diskQps:F0} QPS ({diskQps / memoryQps:F2}x), results identical: {(identical ? "yes" : "NO")}"));
            }
            return identical;
        }

        private static double Qps(VectorIndex index, VectorSet queries, SearchOptions options)
        {
            var hits = new SearchHit[options.K];
            for (int q = 0; q < queries.Count; q++)
            {
                index.Search(queries.Row(q), options, hits, out _);
            }
            long done = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < 1)
            {
                for (int q = 0; q < queries.Count; q++, done++)
                {
                    index.Search(queries.Row(q), options, hits, out _);
                }
            }
            return done / clock.Elapsed.TotalSeconds;
        }

        public void Dispose()
        {
            Memory.Dispose();
            Disk.Dispose();
        }

        private sealed class StoreReader(StoredCollection collection) : IOriginalReader
        {
            public void Read(ReadOnlySpan<ulong> ids, Span<byte> destination, Span<bool> found) =>
                collection.ReadOriginals(ids, destination, found);
        }
    }
}
