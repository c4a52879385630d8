using VectorDb.Engine;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb;

public sealed partial class VectorCollection
{
    /// <summary>
    /// Inserts or replaces a batch of points. With <paramref name="wait"/> the call returns once the batch is durable
    /// (survives a crash); without, once it is searchable (durable within the storage commit interval).
    /// </summary>
    /// <exception cref="ArgumentException">Empty or oversized batch, duplicate ids, wrong dimension, NaN/infinite
    /// coordinate, invalid or oversized payload. Nothing is written then.</exception>
    public async Task<WriteResult> UpsertAsync(IReadOnlyList<PointInput> points, bool wait = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        Enter();
        try
        {
            var prepared = Prepare(points);
            ulong operation;
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var slots = AssignSlots(points);
                for (int i = 0; i < slots.Length; i++)
                {
                    prepared.Writes[i] = prepared.Writes[i] with { Id = slots[i].Slot, Key = slots[i].Key };
                }
                FixCentreIfDue(points);
                if (prepared.CentreVersion != _index.CentreVersion)
                {
                    ReEncode(points, prepared); // encoded before the centre moved: encode against the current one
                }
                // From here on nothing is cancelled: storage and index must both see the whole batch.
                await _store.UpsertAsync(prepared.Writes, wait: false, CancellationToken.None).ConfigureAwait(false);
                RememberSlots(points, slots);
                if (Config.Originals != OriginalsFormat.None && !_index.OriginalsAreExternal &&
                    _index.OriginalBytesInMemoryAfter(prepared.Writes.Length) > _options.OriginalsMemoryBytes)
                {
                    MoveOriginalsToStorage(); // the batch is in storage already, so re-ranking can read it from there
                }
                for (int i = 0; i < prepared.Writes.Length; i++)
                {
                    ref readonly var write = ref prepared.Writes[i];
                    _index.UpsertChecked(write.Id, write.Codes.Span, prepared.Originals[i]); // ignored once originals are external
                    _points[write.Id] = prepared.Fields[i];
                }
                TrainIfDue();
                operation = (ulong)Interlocked.Increment(ref _operationId);
            }
            finally
            {
                _writeGate.Release();
            }
            if (wait)
            {
                await _store.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            return new WriteResult(operation, wait, prepared.Writes.Length);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Deletes points by id; ids that do not exist are ignored. Returns how many existed.</summary>
    public async Task<WriteResult> DeleteAsync(IReadOnlyCollection<PointId> ids, bool wait = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        EngineLimits.CheckCount(ids.Count, Limits.MaxIdsPerCall, "the id list is empty; give at least one id to delete.",
            "ids in one delete", "call", nameof(ids));
        return await DeleteWhereAsync(_ => LiveSlots(ids), wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every point that passes <paramref name="filter"/>. Returns how many were deleted.</summary>
    /// <exception cref="ArgumentException">A malformed filter; nothing is deleted.</exception>
    public async Task<WriteResult> DeleteAsync(Filter filter, bool wait = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var compiled = CompiledFilter.Compile(filter, FindSlot)!;
        return await DeleteWhereAsync(points => [.. points.Where(p => compiled.Matches(p.Key, p.Value)).Select(p => p.Key)],
            wait, cancellationToken).ConfigureAwait(false);
    }

    private async Task<WriteResult> DeleteWhereAsync(
        Func<IEnumerable<KeyValuePair<ulong, PayloadFields>>, ulong[]> select, bool wait, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            int deleted;
            ulong operation;
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ulong[] ids = select(_points);
                deleted = await _store.DeleteAsync(ids, wait: false, CancellationToken.None).ConfigureAwait(false);
                foreach (ulong id in ids)
                {
                    _index.Delete(id);
                    _points.TryRemove(id, out _);
                    ForgetSlot(id);
                }
                operation = (ulong)Interlocked.Increment(ref _operationId);
            }
            finally
            {
                _writeGate.Release();
            }
            if (wait)
            {
                await _store.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            return new WriteResult(operation, wait, deleted);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Originals are the index's checks of the points' vectors, whose stored bytes are also the writes' originals.
    /// <see cref="CentreVersion"/> is the index's centre version the records were encoded against.</summary>
    private sealed record PreparedBatch(PointWrite[] Writes, CheckedOriginal[] Originals, PayloadFields[] Fields, int CentreVersion);

    /// <summary>
    /// When this batch brings a centred collection to its centre sample size, fixes the centre: the mean of the rows
    /// so far and the batch, written durably to storage before the index (and any record) uses it. Write gate held.
    /// </summary>
    private void FixCentreIfDue(IReadOnlyList<PointInput> points)
    {
        if (!_index.CentreDue(points.Count))
        {
            return;
        }
        var vectors = new float[points.Count * Config.Dimension];
        for (int i = 0; i < points.Count; i++)
        {
            points[i].Vector.Span.CopyTo(vectors.AsSpan(i * Config.Dimension));
        }
        float[] centre = _index.ComputeCentre(vectors);
        _store.WriteCentre(centre);
        _index.SetCentre(centre);
    }

    /// <summary>Re-encodes a prepared batch's records in place against the index's current centre (write gate held).</summary>
    private void ReEncode(IReadOnlyList<PointInput> points, PreparedBatch prepared)
    {
        for (int i = 0; i < points.Count; i++)
        {
            var record = System.Runtime.InteropServices.MemoryMarshal.AsMemory(prepared.Writes[i].Codes);
            _index.Encode(points[i].Vector.Span, record.Span);
        }
    }

    /// <summary>Validates the whole batch and encodes it (in parallel for large batches) before anything is written.</summary>
    private PreparedBatch Prepare(IReadOnlyList<PointInput> points)
    {
        EngineLimits.CheckCount(points.Count, Limits.MaxBatchSize, "the batch is empty; give at least one point.",
            "points in one batch", "batch", nameof(points));
        var seen = new HashSet<PointId>();
        var originals = new CheckedOriginal[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            var point = points[i] ?? throw new ArgumentException($"point at batch index {i} is null.", nameof(points));
            if (!seen.Add(point.Id))
            {
                throw new ArgumentException($"id {point.Id} appears more than once in the batch (again at index {i}); send each id once.", nameof(points));
            }
            originals[i] = Check(point.Vector.Span, $"point {point.Id} (batch index {i})");
        }
        int n = points.Count;
        var writes = new PointWrite[n];
        var fields = new PayloadFields[n];
        int recordSize = _index.Layout.RecordSize;
        int centreVersion = _index.CentreVersion; // read before encoding: a later change makes the batch re-encode
        void PrepareOne(int i)
        {
            var point = points[i];
            byte[] payload = PayloadJson.ToUtf8(point.Payload); // serialised once: stored as is, flattened from the same bytes
            if (payload.Length > _store.Manifest.MaxPayloadBytes)
            {
                throw new LimitExceededException(
                    $"point {point.Id} has a {payload.Length}-byte payload; the limit of collection '{Name}' is {_store.Manifest.MaxPayloadBytes} bytes.",
                    nameof(points));
            }
            fields[i] = PayloadFields.FromUtf8(payload);
            var record = new byte[recordSize];
            _index.Encode(point.Vector.Span, record);
            // Slot 0 for now: the slot and key are assigned under the write gate (AssignSlots).
            writes[i] = new PointWrite(0, record, originals[i].Bytes, payload);
        }
        if (n >= 256)
        {
            // Report the first bad point by batch index, as the sequential path would (not an AggregateException).
            var errors = new Exception?[n];
            Parallel.For(0, n, i =>
            {
                try
                {
                    PrepareOne(i);
                }
                catch (ArgumentException e)
                {
                    errors[i] = e;
                }
            });
            if (Array.Find(errors, e => e is not null) is { } first)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                PrepareOne(i);
            }
        }
        return new PreparedBatch(writes, originals, fields, centreVersion);
    }

    /// <summary>The one check of a vector to upsert: length, finiteness and the float16 range when originals are kept
    /// as float16, by the index, which converts the original to its stored bytes in the same pass
    /// (<see cref="VectorIndex.CheckOriginal"/>; the errors worded here), then the norm (<see cref="VectorMagnitude"/>).</summary>
    private CheckedOriginal Check(ReadOnlySpan<float> vector, string what)
    {
        switch (_index.CheckOriginal(vector, out CheckedOriginal original, out int j))
        {
            case OriginalFault.WrongLength:
                throw new ArgumentException(
                    $"{what} has {vector.Length} coordinates; collection '{Name}' has dimension {Config.Dimension}.", nameof(vector));
            case OriginalFault.NotFinite:
                throw new ArgumentException($"{what}: coordinate {j} is {vector[j]}; every coordinate must be a finite number.", nameof(vector));
            case OriginalFault.BeyondFloat16:
                throw new ArgumentException(
                    $"{what}: coordinate {j} is {vector[j]}; collection '{Name}' keeps float16 originals, which hold magnitudes up to {OriginalVectorStore.MaxFloat16Magnitude}.",
                    nameof(vector));
        }
        VectorMagnitude.Check(vector, Config.Metric, what);
        return original;
    }
}
