using System.Text.RegularExpressions;
using VectorDb.Storage.Io;

namespace VectorDb.Storage;

/// <summary>
/// The catalogue of collections under one root directory: one sub-directory per collection, named after it. It holds
/// no points itself; it creates, lists, opens and drops <see cref="StoredCollection"/>s, which do the storing.
/// Creation and drop are atomic with respect to crashes (a collection is built in a hidden staging directory and
/// renamed into place; a drop renames it away before deleting), and leftovers of an interrupted create or drop are
/// removed the next time the catalogue is opened. A collection is open at most once at a time (a lock file enforces
/// this across processes).
/// </summary>
public sealed partial class CollectionCatalogue : IDisposable
{
    private const string StagingPrefix = ".creating-";
    private const string DroppingPrefix = ".dropping-";

    private readonly Dictionary<string, StoredCollection> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    private CollectionCatalogue(string root, StorageOptions options)
    {
        RootDirectory = root;
        Options = options;
    }

    /// <summary>Root directory of the catalogue.</summary>
    public string RootDirectory { get; }

    /// <summary>Options applied to every collection opened through this catalogue.</summary>
    public StorageOptions Options { get; }

    /// <summary>Opens (creating if needed) the catalogue in <paramref name="rootDirectory"/>.</summary>
    public static CollectionCatalogue Open(string rootDirectory, StorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        options ??= new StorageOptions();
        options.Validate();
        var root = Path.GetFullPath(rootDirectory);
        System.IO.Directory.CreateDirectory(root);
        foreach (var leftover in System.IO.Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(leftover);
            if (name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.StartsWith(DroppingPrefix, StringComparison.Ordinal))
                System.IO.Directory.Delete(leftover, recursive: true);
        }
        return new CollectionCatalogue(root, options);
    }

    /// <summary>Names of all collections, sorted ordinally.</summary>
    public IReadOnlyList<string> ListCollections()
    {
        ThrowIfDisposed();
        return [.. System.IO.Directory.EnumerateDirectories(RootDirectory)
            .Select(Path.GetFileName)
            .Where(name => name is not null && ValidName().IsMatch(name))
            .Select(name => name!)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>True when a collection named <paramref name="name"/> exists.</summary>
    public bool Exists(string name)
    {
        ValidateName(name);
        return System.IO.Directory.Exists(Path.Combine(RootDirectory, name));
    }

    /// <summary>Creates an empty collection and opens it. Throws <see cref="InvalidOperationException"/> if it
    /// exists and <see cref="ArgumentException"/> for an invalid name or manifest.</summary>
    public StoredCollection CreateCollection(string name, CollectionManifest manifest)
    {
        ThrowIfDisposed();
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(manifest);
        manifest.Validate();
        manifest = manifest with { CollectionId = CollectionManifest.NewCollectionId() }; // a new collection, a new identity
        var target = Path.Combine(RootDirectory, name);
        if (System.IO.Directory.Exists(target))
            throw new InvalidOperationException($"Collection '{name}' already exists; open it or drop it first.");
        var staging = Path.Combine(RootDirectory, StagingPrefix + name + "-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(staging);
        try
        {
            ManifestFile.Write(staging, manifest);
            LogLayoutFile.Write(staging, StoredCollection.NewLayout(manifest, Options));
            CommitSlotFile.Create(staging);
            CrashPoint.Reach(Options, CrashPoint.CreateStaged);
            System.IO.Directory.Move(staging, target);
            CrashPoint.Reach(Options, CrashPoint.CreateMoved);
            DirectorySync.Flush(RootDirectory);
        }
        catch
        {
            if (System.IO.Directory.Exists(staging))
                System.IO.Directory.Delete(staging, recursive: true);
            throw;
        }
        return OpenCollection(name, manifest);
    }

    /// <summary>Reads a collection's persisted manifest without opening it.</summary>
    public CollectionManifest ReadManifest(string name)
    {
        ThrowIfDisposed();
        return ManifestFile.Read(CollectionDirectory(name));
    }

    /// <summary>
    /// Opens a collection and recovers its latest committed state. When <paramref name="expected"/> is given, it
    /// must equal the stored manifest (<see cref="CollectionMismatchException"/> names the first differing field).
    /// Damage raises <see cref="StorageCorruptionException"/>; an unknown layout version
    /// <see cref="NotSupportedException"/>.
    /// </summary>
    public StoredCollection OpenCollection(string name, CollectionManifest? expected = null)
    {
        ThrowIfDisposed();
        var directory = CollectionDirectory(name);
        var stored = ManifestFile.Read(directory);
        expected?.Validate();
        if (expected is not null)
            stored.EnsureMatches(expected, name);
        lock (_lock)
        {
            if (_open.ContainsKey(name))
                throw new InvalidOperationException($"Collection '{name}' is already open in this store; reuse that instance.");
            var collection = StoredCollection.Open(name, directory, stored, Options);
            _open.Add(name, collection);
            collection.Closed = OnClosed;
            return collection;
        }
    }

    /// <summary>Deletes a collection and frees its disk space. It must not be open.</summary>
    public void DropCollection(string name)
    {
        ThrowIfDisposed();
        var directory = CollectionDirectory(name);
        lock (_lock)
        {
            if (_open.ContainsKey(name))
                throw new InvalidOperationException($"Collection '{name}' is open; dispose it before dropping it.");
            // Taking the collection's lock file proves no other process has it open.
            using (var probe = TryLock(directory))
            {
                if (probe is null)
                    throw new InvalidOperationException($"Collection '{name}' is open in another process; close it first.");
            }
            var dropping = Path.Combine(RootDirectory, DroppingPrefix + name + "-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.Move(directory, dropping);
            CrashPoint.Reach(Options, CrashPoint.DropMoved);
            DirectorySync.Flush(RootDirectory);
            CrashPoint.Reach(Options, CrashPoint.DropSynced);
            System.IO.Directory.Delete(dropping, recursive: true);
        }
    }

    /// <summary>Closes every collection still open through this catalogue.</summary>
    public void Dispose()
    {
        List<StoredCollection> open;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            open = [.. _open.Values];
        }
        List<Exception>? failures = null;
        foreach (var collection in open)
        {
            try
            {
                collection.Dispose();
            }
            catch (CollectionFaultedException e)
            {
                (failures ??= []).Add(e); // close the others first, then report
            }
        }
        if (failures is not null)
            throw new AggregateException("Some collections failed their final commit.", failures);
    }

    private void OnClosed(StoredCollection collection)
    {
        lock (_lock)
            _open.Remove(collection.Name);
    }

    private string CollectionDirectory(string name)
    {
        ValidateName(name);
        var directory = Path.Combine(RootDirectory, name);
        if (!System.IO.Directory.Exists(directory))
            throw new KeyNotFoundException($"Collection '{name}' does not exist in '{RootDirectory}'.");
        return directory;
    }

    private static FileStream? TryLock(string directory)
    {
        try
        {
            return new FileStream(Path.Combine(directory, "LOCK"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ValidName().IsMatch(name))
            throw new ArgumentException(
                $"Collection name '{name}' is invalid: use 1-64 characters from A-Z, a-z, 0-9, '_' and '-', starting with a letter or digit.",
                nameof(name));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex ValidName();
}
