using VectorDb.Gpu.Diagnostics;

if (args.Length == 2 && args[0] == "--ptx")
{
    foreach (string path in PtxDump.Write(args[1]))
    {
        Console.WriteLine(path);
    }
    return 0;
}
Console.Error.WriteLine("usage: VectorDb.GpuBench --ptx DIR");
return 2;
