namespace VectorDb.Index.Rerank;

/// <summary>One re-ranked result: the slot that holds the original and its exact score under the scorer's metric.</summary>
/// <param name="Slot">The store slot (the search layer maps slots to point ids).</param>
/// <param name="Score">Exact score: inner product, cosine, or squared L2 distance.</param>
public readonly record struct ScoredSlot(int Slot, float Score);
