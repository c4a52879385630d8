using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using VectorDb.Gpu.Kernels;
using VectorDb.Index.Rerank;

namespace VectorDb.Gpu;

/// <summary>
/// The device copy of an <see cref="OriginalVectorStore"/>: rows padded to whole 16-byte chunks, norms, and live
/// flags. It listens to the store, so every upsert and delete marks its slot dirty, and <see cref="Synchronize"/>
/// (called before every device computation) applies the changes first: a deleted slot's live flag is 0 on the
/// device before any later kernel runs, so the device never scores or returns it.
/// </summary>
internal sealed class DeviceMirror : IOriginalStoreListener, IDisposable
{
    /// <summary>Host staging is filled and copied in pieces of about this many bytes.</summary>
    private const int StagingBytes = 16 << 20;

    private readonly Accelerator _accelerator;
    private readonly OriginalVectorStore _store;
    private readonly GpuKernelSet _kernels;
    private readonly HashSet<int> _dirty = [];
    private bool _allDirty = true;
    private SlotArrays? _resident;
    private SlotArrays? _staged; // changed slots' rows, norms and live flags on their way to the scatter kernel
    private MemoryBuffer1D<int, Stride1D.Dense>? _stagedSlots; // the slot each staged entry goes to
    private Chunk16[] _hostRows = [];
    private float[] _hostNorms = [];
    private int[] _hostLive = [];
    private int[] _hostSlots = [];

    public DeviceMirror(Accelerator accelerator, OriginalVectorStore store, GpuKernelSet kernels)
    {
        _accelerator = accelerator;
        _store = store;
        _kernels = kernels;
        CoordinatesPerChunk = store.Precision == OriginalsFormat.Float32 ? 4 : 8;
        ChunksPerRow = (store.Dimension + CoordinatesPerChunk - 1) / CoordinatesPerChunk;
        store.AddListener(this);
    }

    /// <summary>4 (float32) or 8 (float16) coordinates per 16-byte chunk.</summary>
    public int CoordinatesPerChunk { get; }

    /// <summary>Chunks per padded row.</summary>
    public int ChunksPerRow { get; }

    /// <summary>Padded coordinates per row; queries are padded to the same length.</summary>
    public int CoordinateStride => ChunksPerRow * CoordinatesPerChunk;

    /// <summary>Device bytes per slot: the padded row, a norm and a live flag.</summary>
    public long BytesPerSlot => ChunksPerRow * 16L + sizeof(float) + sizeof(int);

    /// <summary>Slots allocated on the device (0 when not resident).</summary>
    public int Capacity { get; private set; }

    /// <summary>The store's slot count when last synchronized: slots the kernels score.</summary>
    public int SlotCount { get; private set; }

    public bool IsResident => _resident is not null;

    /// <summary>Device bytes held (resident copy plus change staging).</summary>
    public long ResidentBytes => (_resident?.Bytes ?? 0) + (_staged?.Bytes ?? 0) + DeviceBuffers.Bytes(_stagedSlots);

    /// <summary>Bytes the store needs on the device at its current size.</summary>
    public long RequiredBytes => Math.Max(1, _store.SlotCount) * BytesPerSlot;

    public ArrayView<Chunk16> Rows => _resident!.Rows;

    public ArrayView<float> Norms => _resident!.Norms;

    public ArrayView<int> Live => _resident!.Live;

    /// <inheritdoc/>
    public void OnSlotChanged(int slot)
    {
        if (_allDirty)
        {
            return;
        }
        _dirty.Add(slot);
        if (_dirty.Count > Math.Max(4096, Capacity / 8))
        {
            // Past this point one full upload is cheaper than a scatter of many rows.
            _allDirty = true;
            _dirty.Clear();
        }
    }

    /// <summary>Brings the device copy up to date with the store. Returns false, with the device copy released and
    /// a reason, when the store does not fit <paramref name="budgetBytes"/> or the device cannot allocate it.</summary>
    public bool Synchronize(long budgetBytes, out string? fallbackReason)
    {
        int needed = Math.Max(1, _store.SlotCount);
        if (RequiredBytes > budgetBytes)
        {
            Release();
            fallbackReason = $"collection needs {RequiredBytes:N0} device bytes; budget is {budgetBytes:N0}";
            return false;
        }
        if (_resident is null || needed > Capacity)
        {
            // Grow by a quarter (at most to the budget) so that a stream of inserts does not reallocate each time.
            long growth = Math.Min((long)needed + needed / 4 + 64, budgetBytes / BytesPerSlot);
            int capacity = (int)Math.Max(needed, Math.Min(growth, OriginalVectorStore.MaxSlotCount));
            Release();
            try
            {
                _resident = SlotArrays.Allocate(_accelerator, capacity, ChunksPerRow);
            }
            catch (AcceleratorException error)
            {
                Release();
                fallbackReason = $"device allocation of {capacity * BytesPerSlot:N0} bytes failed: {error.Message}";
                return false;
            }
            Capacity = capacity;
            _allDirty = true;
        }
        if (_allDirty)
        {
            UploadAll();
        }
        else if (_dirty.Count > 0)
        {
            UploadDirty();
        }
        _allDirty = false;
        _dirty.Clear();
        SlotCount = _store.SlotCount;
        fallbackReason = null;
        return true;
    }

    private void UploadAll()
    {
        int batch = Math.Max(1, StagingBytes / (ChunksPerRow * 16));
        EnsureHost(Math.Min(batch, Capacity));
        for (int start = 0; start < Capacity; start += batch)
        {
            int count = Math.Min(batch, Capacity - start);
            for (int i = 0; i < count; i++)
            {
                Stage(start + i, i);
            }
            _resident!.CopyFromHost(_hostRows, _hostNorms, _hostLive, start, count);
        }
    }

    private void UploadDirty()
    {
        int count = _dirty.Count;
        EnsureHost(count);
        int i = 0;
        foreach (int slot in _dirty)
        {
            _hostSlots[i] = slot;
            Stage(slot, i++);
        }
        if (_staged is null || _stagedSlots is null || _staged.Slots < count)
        {
            DisposeStaging();
            int size = Math.Max(count, 256);
            _staged = SlotArrays.Allocate(_accelerator, size, ChunksPerRow);
            _stagedSlots = _accelerator.Allocate1D<int>(size);
        }
        _staged.CopyFromHost(_hostRows, _hostNorms, _hostLive, 0, count);
        DeviceBuffers.Range<int>(_stagedSlots.View, 0, count).CopyFromCPU(_hostSlots.AsSpan(0, count));
        _kernels.Scatter(count * ChunksPerRow, _staged.Rows, _stagedSlots.View, _staged.Norms, _staged.Live,
            _resident!.Rows, _resident.Norms, _resident.Live, ChunksPerRow);
        _accelerator.Synchronize();
    }

    /// <summary>Writes slot's padded row, norm and live flag into host staging entry <paramref name="entry"/>.</summary>
    private void Stage(int slot, int entry)
    {
        Span<byte> row = MemoryMarshal.AsBytes(_hostRows.AsSpan(entry * ChunksPerRow, ChunksPerRow));
        row.Clear();
        if (!_store.IsLive(slot))
        {
            _hostNorms[entry] = 0;
            _hostLive[entry] = 0;
            return;
        }
        if (_store.Precision == OriginalsFormat.Float32)
        {
            MemoryMarshal.AsBytes(_store.GetFloat32Row(slot)).CopyTo(row);
        }
        else
        {
            MemoryMarshal.AsBytes(_store.GetFloat16Row(slot)).CopyTo(row);
        }
        _hostNorms[entry] = _store.GetNorm(slot);
        _hostLive[entry] = 1;
    }

    private void EnsureHost(int entries)
    {
        if (_hostNorms.Length >= entries)
        {
            return;
        }
        _hostRows = new Chunk16[entries * ChunksPerRow];
        _hostNorms = new float[entries];
        _hostLive = new int[entries];
        _hostSlots = new int[entries];
    }

    /// <summary>Frees the device copy; the next <see cref="Synchronize"/> uploads everything again.</summary>
    public void Release()
    {
        _resident?.Dispose();
        _resident = null;
        DisposeStaging();
        Capacity = 0;
        SlotCount = 0;
        _allDirty = true;
        _dirty.Clear();
    }

    private void DisposeStaging()
    {
        _staged?.Dispose();
        _staged = null;
        DeviceBuffers.Free(ref _stagedSlots);
    }

    public void Dispose()
    {
        _store.RemoveListener(this);
        Release();
    }
}
