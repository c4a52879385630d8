#!/usr/bin/env python3
"""Drives a VectorDb server from Python with stubs generated from src/Api/Protos (protoc + grpc_python_plugin), to
prove the proto contract is usable outside .NET. Usage: vectordb_client_test.py <protos dir> <host:port> <api key>.
Exits 0 when every check passes; prints the failing check and exits 1 otherwise."""
import importlib
import subprocess
import sys
import tempfile

import grpc


def generate(protos: str, out: str) -> None:
    files = [f"{protos}/vectordb/v1/{name}.proto" for name in ("common", "collections", "collections_service", "points", "points_service")]
    subprocess.run(["protoc", f"-I{protos}", f"--python_out={out}", f"--grpc_out={out}",
                    "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", *files], check=True)
    sys.path.insert(0, out)


def expect_status(code, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except grpc.RpcError as e:
        assert e.code() == code, f"expected {code}, got {e.code()}: {e.details()}"
        return e.details()
    raise AssertionError(f"expected {code}, the call succeeded")


def main() -> int:
    protos, address, key = sys.argv[1], sys.argv[2], sys.argv[3]
    with tempfile.TemporaryDirectory() as out:
        generate(protos, out)
        c = importlib.import_module("vectordb.v1.collections_pb2")
        cs = importlib.import_module("vectordb.v1.collections_service_pb2_grpc")
        common = importlib.import_module("vectordb.v1.common_pb2")
        p = importlib.import_module("vectordb.v1.points_pb2")
        ps = importlib.import_module("vectordb.v1.points_service_pb2_grpc")

        channel = grpc.insecure_channel(address)
        auth = [("api-key", key)]
        collections = cs.CollectionsStub(channel)
        points = ps.PointsStub(channel)

        collections.Create(c.CreateCollectionRequest(
            collection_name="py", vectors=c.VectorParams(size=3, distance=c.DOT),
            quantization=c.QuantizationConfig(bits=8)), metadata=auth)
        batch = []
        for i in range(1, 21):
            payload = {"parity": common.Value(string_value="even" if i % 2 == 0 else "odd"), "i": common.Value(integer_value=i)}
            batch.append(p.PointStruct(id=common.PointId(num=i), vector=common.Vector(data=[float(i), 1.0, 0.0]), payload=payload))
        upsert = points.Upsert(p.UpsertPointsRequest(collection_name="py", points=batch), metadata=auth)
        assert upsert.result.status == p.COMPLETED, upsert

        count = points.Count(p.CountPointsRequest(collection_name="py"), metadata=auth)
        assert count.result.count == 20, count

        even = common.Filter(must=[common.Condition(field=common.FieldCondition(key="parity", match=common.Match(keyword="even")))])
        found = points.Search(p.SearchPointsRequest(collection_name="py", vector=[1.0, 0.0, 0.0], limit=3, filter=even,
                                                     with_payload=True, params=p.SearchParams(exact=True)), metadata=auth)
        ids = [hit.id.num for hit in found.result]
        assert ids == [20, 18, 16], ids
        assert found.result[0].payload["i"].integer_value == 20
        assert abs(found.result[0].score - 20.0) < 1e-4, found.result[0].score

        ranged = common.Filter(must=[common.Condition(field=common.FieldCondition(key="i", range=common.Range(gte=5, lt=8)))])
        assert points.Count(p.CountPointsRequest(collection_name="py", filter=ranged), metadata=auth).result.count == 3

        got = points.Get(p.GetPointsRequest(collection_name="py", ids=[common.PointId(num=7)], with_vectors=True), metadata=auth)
        assert list(got.result[0].vector.data) == [7.0, 1.0, 0.0], got

        deleted = points.Delete(p.DeletePointsRequest(collection_name="py", points=p.PointsSelector(filter=even)), metadata=auth)
        assert deleted.result.status == p.COMPLETED
        assert points.Count(p.CountPointsRequest(collection_name="py"), metadata=auth).result.count == 10

        expect_status(grpc.StatusCode.NOT_FOUND, points.Count, p.CountPointsRequest(collection_name="missing"), metadata=auth)
        expect_status(grpc.StatusCode.INVALID_ARGUMENT, points.Search,
                      p.SearchPointsRequest(collection_name="py", vector=[1.0], limit=3), metadata=auth)
        expect_status(grpc.StatusCode.UNAUTHENTICATED, points.Count, p.CountPointsRequest(collection_name="py"))

        collections.Delete(c.DeleteCollectionRequest(collection_name="py"), metadata=auth)
        listed = collections.List(c.ListCollectionsRequest(), metadata=auth)
        assert [d.name for d in listed.collections] == [], listed
    print("python client: all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as failure:
        print(f"python client check failed: {failure}", file=sys.stderr)
        sys.exit(1)
