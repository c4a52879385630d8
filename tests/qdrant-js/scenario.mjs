// Drives VectorDb's REST API with Qdrant's official JavaScript client (@qdrant/js-client-rest), unchanged.
// Usage: node scenario.mjs <rest-url> <api-key> <dataset-dir> <phase>
//   phase "load":  create the collection, upsert the 20k slice (even rows: integer ids, odd rows: UUID ids, with
//                  payloads), create a payload index, run the 200 queries; prints one line
//                  "RESULTS <json>" with each query's hit rows, for the test to compare with vectordb.v1.
//   phase "check": filtered search against brute force, scroll through every point once, count, retrieve,
//                  delete by ids and by filter, drop. Exits non-zero on the first failed check.
// The oracle here is independent of the server: brute-force cosine over the same fvecs file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';

const [url, apiKey, dataDir, phase] = process.argv.slice(2);
const client = new QdrantClient({ url, apiKey, checkCompatibility: true });
const name = 'glove_js';

function readVecs(file, kind) {
  const buffer = readFileSync(file);
  const rows = [];
  for (let at = 0; at < buffer.length;) {
    const d = buffer.readInt32LE(at);
    const row = kind === 'f' ? new Float32Array(d) : new Int32Array(d);
    for (let j = 0; j < d; j++) {
      row[j] = kind === 'f' ? buffer.readFloatLE(at + 4 + 4 * j) : buffer.readInt32LE(at + 4 + 4 * j);
    }
    rows.push(row);
    at += 4 + 4 * d;
  }
  return rows;
}

const base = readVecs(join(dataDir, 'base.fvecs'), 'f');
const queries = readVecs(join(dataDir, 'query.fvecs'), 'f');
const truth = readVecs(join(dataDir, 'groundtruth.ivecs'), 'i');

// Even rows keep their number as id; odd rows get a UUID that encodes the row (so the test can map hits back).
const idOf = (row) => (row % 2 === 0 ? row : `00000000-0000-4000-8000-${row.toString(16).padStart(12, '0')}`);
const rowOf = (id) => (typeof id === 'number' ? id : parseInt(id.slice(24), 16));
const payloadOf = (row) => ({ row, group: row % 10, tag: row % 3 === 0 ? 'fizz' : 'plain', meta: { half: row < base.length / 2 } });

function check(condition, message) {
  if (!condition) {
    console.error(`CHECK FAILED: ${message}`);
    process.exit(1);
  }
}

function cosine(a, b) {
  let dot = 0, aa = 0, bb = 0;
  for (let j = 0; j < a.length; j++) { dot += a[j] * b[j]; aa += a[j] * a[j]; bb += b[j] * b[j]; }
  return dot / Math.sqrt(aa * bb);
}

async function load() {
  if (await client.collectionExists(name).then((r) => r.exists)) {
    await client.deleteCollection(name);
  }
  check(await client.createCollection(name, { vectors: { size: base[0].length, distance: 'Cosine' } }) === true, 'create');
  for (let from = 0; from < base.length; from += 1000) {
    const points = [];
    for (let row = from; row < Math.min(from + 1000, base.length); row++) {
      points.push({ id: idOf(row), vector: Array.from(base[row]), payload: payloadOf(row) });
    }
    const result = await client.upsert(name, { wait: true, points });
    check(result.status === 'completed', `upsert status ${result.status}`);
  }
  const index = await client.createPayloadIndex(name, { field_name: 'group', field_schema: 'integer', wait: true });
  check(index.status === 'completed', 'payload index');
  const info = await client.getCollection(name);
  check(info.points_count === base.length, `points_count ${info.points_count}`);
  check(info.config.params.vectors.size === base[0].length && info.config.params.vectors.distance === 'Cosine', 'collection config');
  const results = [];
  let found = 0;
  for (let q = 0; q < queries.length; q++) {
    const response = await client.query(name, { query: Array.from(queries[q]), limit: 10 });
    const rows = response.points.map((p) => rowOf(p.id));
    results.push(rows);
    const want = new Set(Array.from(truth[q].slice(0, 10)));
    found += rows.filter((r) => want.has(r)).length;
  }
  console.log(`recall@10 over REST: ${(found / (10 * queries.length)).toFixed(4)}`);
  console.log(`RESULTS ${JSON.stringify(results)}`);
}

async function checks() {
  // Filtered search: every hit passes the filter; recall against brute force over the rows that pass.
  const filter = { must: [{ key: 'group', match: { value: 3 } }], must_not: [{ key: 'tag', match: { value: 'fizz' } }] };
  const passes = (row) => row % 10 === 3 && row % 3 !== 0;
  let found = 0;
  for (let q = 0; q < 20; q++) {
    const hits = (await client.query(name, { query: Array.from(queries[q]), limit: 10, filter, with_payload: true })).points;
    check(hits.length === 10, `filtered query ${q}: ${hits.length} hits`);
    for (const h of hits) {
      check(passes(rowOf(h.id)) && h.payload.group === 3 && h.payload.tag === 'plain', `filtered hit ${h.id} fails the filter`);
    }
    const exact = base.map((v, row) => [row, cosine(queries[q], v)]).filter(([row]) => passes(row))
      .sort((a, b) => b[1] - a[1]).slice(0, 10).map(([row]) => row);
    const want = new Set(exact);
    found += hits.filter((h) => want.has(rowOf(h.id))).length;
    const exactHits = (await client.query(name, { query: Array.from(queries[q]), limit: 10, filter, params: { exact: true } })).points;
    check(JSON.stringify(exactHits.map((h) => rowOf(h.id))) === JSON.stringify(exact), `exact filtered query ${q} differs from brute force`);
  }
  console.log(`filtered recall@10 over REST: ${(found / 200).toFixed(4)}`);
  check(found >= 0.8 * 200, `filtered recall ${found}/200`);

  // Scroll through every point exactly once, numbers first (ascending), then UUIDs.
  const seen = new Set();
  let offset = undefined;
  let pages = 0;
  let previous = null;
  const started = process.hrtime.bigint();
  do {
    const page = await client.scroll(name, { limit: 1000, offset, with_payload: true });
    for (const p of page.points) {
      const row = rowOf(p.id);
      check(!seen.has(row), `scroll returned row ${row} twice`);
      check(p.payload.row === row, `scroll payload of ${p.id}`);
      seen.add(row);
      if (previous !== null && typeof previous === 'number' && typeof p.id === 'number') check(p.id > previous, 'scroll order');
      check(!(typeof previous === 'string' && typeof p.id === 'number'), 'numbers after UUIDs in scroll');
      previous = p.id;
    }
    offset = page.next_page_offset ?? undefined;
    pages++;
  } while (offset !== undefined);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  check(seen.size === base.length, `scroll saw ${seen.size} points`);
  console.log(`scroll: ${seen.size} ids in ${pages} pages, ${(seen.size / seconds).toFixed(0)} ids/s`);

  // Count, retrieve, get one.
  check((await client.count(name)).count === base.length, 'count');
  check((await client.count(name, { filter: { must: [{ key: 'group', match: { value: 3 } }] } })).count === base.length / 10, 'filtered count');
  check((await client.count(name, { filter: { must: [{ has_id: [0, idOf(1), 999999] }] } })).count === 2, 'has_id count');
  check((await client.count(name, { filter: { must: [{ key: 'meta.half', match: { value: true } }] } })).count === base.length / 2, 'nested key count');
  const got = await client.retrieve(name, { ids: [0, idOf(1), 999999], with_vector: true });
  check(got.length === 2, `retrieve returned ${got.length}`);
  for (const p of got) {
    const row = rowOf(p.id);
    check(JSON.stringify(p.payload) === JSON.stringify(payloadOf(row)), `retrieve payload of ${p.id}`);
    // Cosine collections keep vectors normalised (as Qdrant does); the slice is unit length, so within float rounding.
    const norm = Math.sqrt(base[row].reduce((s, x) => s + x * x, 0));
    check(p.vector.length === base[row].length && p.vector.every((x, j) => Math.abs(x - base[row][j] / norm) < 1e-6), `retrieve vector of ${p.id}`);
  }

  // Delete by ids (a number and a UUID) and by filter; counts follow.
  const deleted = await client.delete(name, { wait: true, points: [0, idOf(1)] });
  check(deleted.status === 'completed', 'delete status');
  check((await client.count(name)).count === base.length - 2, 'count after delete by ids');
  await client.delete(name, { wait: true, filter: { must: [{ key: 'group', match: { value: 9 } }] } });
  check((await client.count(name)).count === base.length - 2 - base.length / 10, 'count after delete by filter');
  check((await client.retrieve(name, { ids: [0, idOf(1)] })).length === 0, 'deleted points are gone');

  // Errors reach the client as errors (404 for an unknown collection).
  let refused = false;
  try {
    await client.getCollection('no_such_collection');
  } catch (e) {
    refused = /404/.test(String(e.message ?? e)) || e.status === 404;
  }
  check(refused, 'unknown collection is an error');

  check(await client.deleteCollection(name) === true, 'drop');
  check((await client.collectionExists(name)).exists === false, 'exists after drop');
  console.log('all checks passed');
}

if (phase === 'load') await load();
else if (phase === 'check') await checks();
else { console.error(`unknown phase '${phase}'`); process.exit(2); }
