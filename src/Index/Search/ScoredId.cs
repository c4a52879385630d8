namespace VectorDb.Index.Search;

/// <summary>A candidate: its score (larger is better) and its row id.</summary>
public readonly record struct ScoredId(float Score, int Id)
{
    /// <summary>The collector's total order: higher score first, then smaller id. Neither may be NaN.</summary>
    public static bool IsBetter(float score, int id, float otherScore, int otherId) =>
        score > otherScore || (score == otherScore && id < otherId);
}
