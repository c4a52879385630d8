using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VectorDb.Storage.Io;

/// <summary>
/// Allocates disk blocks for a byte range of a file without changing its length (Linux
/// <c>fallocate(FALLOC_FL_KEEP_SIZE)</c>), so a later write into the range cannot fail for lack of space.
/// Elsewhere, or on a file system without fallocate, <see cref="TryAllocate"/> reports "unsupported" and the
/// caller goes without a reservation.
/// </summary>
internal static partial class FileSpace
{
    private const int FallocKeepSize = 1;
    private const int EINTR = 4, ENOSYS = 38, EOPNOTSUPP = 95;

    /// <summary>Outcome of one allocation.</summary>
    public enum Result
    {
        Allocated,
        NoSpace,
        Unsupported,
    }

    /// <summary>Allocates [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the
    /// file. Other I/O errors throw <see cref="IOException"/>.</summary>
    public static Result TryAllocate(SafeFileHandle handle, string path, long offset, long length)
    {
        if (!OperatingSystem.IsLinux())
            return Result.Unsupported;
        while (true)
        {
            if (Fallocate(handle, FallocKeepSize, offset, length) == 0)
                return Result.Allocated;
            int errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case EINTR:
                    continue;
                case DiskFullException.ENOSPC or DiskFullException.EDQUOT:
                    return Result.NoSpace;
                case EOPNOTSUPP or ENOSYS:
                    return Result.Unsupported;
                default:
                    throw new IOException($"fallocate of {length} bytes at offset {offset} of '{path}' failed with errno {errno}.");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Fallocate(SafeFileHandle fd, int mode, long offset, long length);
}
