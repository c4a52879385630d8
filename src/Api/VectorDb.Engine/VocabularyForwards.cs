using System.Runtime.CompilerServices;
using VectorDb;

// The vocabulary's enums were defined in this assembly up to version 0.6.0 and live in VectorDb.Vocabulary since
// (issue 16 point 3): applications compiled against the older VectorDb.Engine.dll find them through these forwards.
[assembly: TypeForwardedTo(typeof(Metric))]
[assembly: TypeForwardedTo(typeof(QuantizerScheme))]
[assembly: TypeForwardedTo(typeof(QuantizerSchemes))]
[assembly: TypeForwardedTo(typeof(OriginalsFormat))]
[assembly: TypeForwardedTo(typeof(IndexLayout))]
[assembly: TypeForwardedTo(typeof(Reranking))]
