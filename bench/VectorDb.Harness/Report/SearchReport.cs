using System.Text.Json;
using System.Text.Json.Serialization;

namespace VectorDb.Harness.Report;

/// <summary>One measured configuration of the `search` sweep. Property names are the JSON contract shared with
/// bench/compare/faiss_baseline.py, so both engines' rows print in one table.</summary>
internal sealed record SearchRow
{
    [JsonPropertyName("scheme")] public required string Scheme { get; init; }

    /// <summary>What the codes are residuals to: "none" (format 1, or tq-prod), "mean" (the collection mean) or
    /// "mean+lists" (IVF lists' centroids after training), with "+rho" when the ranking scale ρ·S is stored.</summary>
    [JsonPropertyName("centring")] public string Centring { get; init; } = "none";
    [JsonPropertyName("bits")] public required double Bits { get; init; }
    [JsonPropertyName("index")] public required string Index { get; init; }
    [JsonPropertyName("nprobe")] public int? NProbe { get; init; }
    [JsonPropertyName("rerank")] public required string Rerank { get; init; }
    [JsonPropertyName("recall_at_10")] public required double RecallAt10 { get; init; }
    [JsonPropertyName("recall_1_at_10")] public required double Recall1At10 { get; init; }
    [JsonPropertyName("recall_1_at_100")] public required double Recall1At100 { get; init; }
    [JsonPropertyName("qps")] public required double Qps { get; init; }
    [JsonPropertyName("p50_ms")] public required double P50Ms { get; init; }
    [JsonPropertyName("p99_ms")] public required double P99Ms { get; init; }
    [JsonPropertyName("bytes_per_vector")] public required double BytesPerVector { get; init; }
    [JsonPropertyName("build_s")] public required double BuildSeconds { get; init; }
    [JsonPropertyName("reranked_per_query")] public required double RerankedPerQuery { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    /// <summary>Queries per search call (1: one query per call; FAISS's batch search scans a block of queries at once).</summary>
    [JsonPropertyName("batch")] public int Batch { get; init; } = 1;
}

/// <summary>The whole `search` report: dataset facts and one row per configuration.</summary>
internal sealed record SearchReport
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    [JsonPropertyName("dataset")] public required string Dataset { get; init; }
    [JsonPropertyName("dim")] public required int Dim { get; init; }
    [JsonPropertyName("n_base")] public required int NBase { get; init; }
    [JsonPropertyName("n_query")] public required int NQuery { get; init; }
    [JsonPropertyName("engine")] public string Engine { get; init; } = "vectordb";
    [JsonPropertyName("machine")] public required string Machine { get; init; }
    [JsonPropertyName("rows")] public required List<SearchRow> Rows { get; init; }

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, s_json));
}
