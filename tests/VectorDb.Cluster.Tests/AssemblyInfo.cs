// Each cluster test starts two or three silo processes (each with its own engine and Orleans runtime); run one test
// class at a time so that a 2-core machine does not host a dozen silos at once. Hang guards, not speed, bound them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
