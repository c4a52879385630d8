using System.Security.Cryptography;
using System.Text;
using Orleans.Storage;

namespace VectorDb.Cluster.Storage;

/// <summary>
/// Orleans grain storage in one folder shared by every silo of a single-machine cluster (the local 3-process cluster
/// and the tests): one file per grain state, written atomically (temp file, flush to disk, rename). The ETag is a
/// version counter checked and raised under an exclusive lock file, so a write based on a stale read fails with
/// <see cref="InconsistentStateException"/> (compare-and-swap), across processes too.
/// <para>Not for several machines: production uses a database-backed provider (docs/cluster.md).</para>
/// </summary>
internal sealed class FileGrainStorage(string directory, IGrainStorageSerializer serializer) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var gate = await LockAsync();
        var stored = ReadFile(PathOf(stateName, grainId));
        if (stored is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.State = serializer.Deserialize<T>(new BinaryData(stored.Value.Body));
        grainState.ETag = stored.Value.ETag;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var gate = await LockAsync();
        string path = PathOf(stateName, grainId);
        string? current = CurrentETag(path, stateName, grainId, grainState.ETag);
        string next = (long.Parse(current ?? "0", System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        byte[] body = serializer.Serialize(grainState.State).ToArray();
        WriteFile(path, next, body);
        grainState.ETag = next;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var gate = await LockAsync();
        string path = PathOf(stateName, grainId);
        CurrentETag(path, stateName, grainId, grainState.ETag);
        File.Delete(path);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The stored ETag (null: no file), which must be the one the caller read (the compare of the
    /// compare-and-swap; the caller holds the lock).</summary>
    private static string? CurrentETag(string path, string stateName, GrainId grainId, string? expected)
    {
        string? current = ReadFile(path)?.ETag;
        return current == expected
            ? current
            : throw new InconsistentStateException($"grain state {grainId}/{stateName} changed since it was read.", current ?? "none", expected ?? "none");
    }

    /// <summary>File name: SHA-256 of the grain id and state name (grain keys may hold any character).</summary>
    private string PathOf(string stateName, GrainId grainId)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{grainId}\n{stateName}"));
        return Path.Combine(directory, Convert.ToHexStringLower(hash) + ".state");
    }

    /// <summary>Layout: the ETag as one ASCII line, then the serialized state.</summary>
    private static (string ETag, byte[] Body)? ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        byte[] bytes = File.ReadAllBytes(path);
        int newline = Array.IndexOf(bytes, (byte)'\n');
        if (newline < 0)
        {
            throw new InvalidDataException($"grain state file {path} has no ETag line.");
        }
        return (Encoding.ASCII.GetString(bytes, 0, newline), bytes[(newline + 1)..]);
    }

    private static void WriteFile(string path, string etag, byte[] body) =>
        SharedFolder.WriteAtomically(path, Encoding.ASCII.GetBytes(etag + "\n"), body);

    private Task<FileStream> LockAsync() => SharedFolder.LockAsync(directory, "storage.lock");
}
