// A build from before the shared vocabulary (src/Vocabulary) named these types differently; scan-ab.sh defines
// BEFORE_VOCABULARY for such a build so that ScanAbSide compiles against either.
#if BEFORE_VOCABULARY
global using Metric = VectorDb.Index.Rerank.ExactMetric;
global using OriginalsFormat = VectorDb.Index.Rerank.OriginalPrecision;
global using IndexLayout = VectorDb.Index.Search.IndexKind;
global using Reranking = VectorDb.Index.Search.RerankMode;
#endif
