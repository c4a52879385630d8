namespace VectorDb.Index.Rerank;

/// <summary>
/// Told about every change to an <see cref="OriginalVectorStore"/>, synchronously and before the changing call
/// returns. Device mirrors (the GPU re-scorer) use it to mark slots dirty so that a stale copy is never scored.
/// </summary>
public interface IOriginalStoreListener
{
    /// <summary>The slot was written (upsert) or deleted; read <see cref="OriginalVectorStore.IsLive"/> to tell
    /// which. Called once per changed slot; must not throw and must not call back into the store's writers.</summary>
    void OnSlotChanged(int slot);
}
