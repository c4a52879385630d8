namespace VectorDb.Tests.Support;

/// <summary>
/// Tests that read a server's /metrics counts. A server's OpenTelemetry provider listens to the "VectorDb.Server" meter
/// by name, so in a test process every in-process server's requests reach every provider listening at the time: a
/// count asserted while other test classes run servers in parallel can include their requests (a CI run saw 3
/// "unmatched" REST requests where the test made 1). xunit runs a collection that disables parallelisation alone,
/// after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "Process-wide metrics";
}
