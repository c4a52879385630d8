using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using VectorDb.Gpu.Kernels;

namespace VectorDb.Gpu.Diagnostics;

/// <summary>
/// Compiles every kernel to PTX for sm_90 without a GPU, so code generation (16-byte vector loads, local-memory
/// spills, fused multiply-adds) can be inspected on any machine: <c>VectorDb.GpuBench --ptx DIR</c>.
/// </summary>
internal static class PtxDump
{
    /// <summary>Writes one .ptx file per kernel into <paramref name="directory"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory)
    {
        Directory.CreateDirectory(directory);
        using Context context = GpuContextFactory.CreateContext(cuda: false);
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var written = new List<string>();
        foreach ((string name, MethodInfo method, bool explicitlyGrouped) in KernelCatalog.All())
        {
            EntryPointDescription entry = explicitlyGrouped
                ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
                : EntryPointDescription.FromImplicitlyGroupedKernel(method);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            string path = Path.Combine(directory, name + ".ptx");
            File.WriteAllText(path, compiled.PTXAssembly.ToString());
            written.Add(path);
        }
        return written;
    }
}
