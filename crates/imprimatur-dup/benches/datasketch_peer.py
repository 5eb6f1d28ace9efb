"""The MinHash peer for benches/dup.rs: datasketch on the same documents.

Reads documents (one per line) from argv[1] and drafts from argv[2]; hashes each text's
word 3-shingles (lowercased, as the Rust side normalises) into a 128-permutation
MinHash (update_batch, datasketch's fastest path), inserts the documents into a
MinHashLSH at threshold 0.2 (the Rust index's candidate threshold), and queries the
drafts. Prints one JSON line of timings; exits 3 when datasketch is not installed.
"""
import json, re, sys, time

try:
    from datasketch import MinHash, MinHashLSH
except ImportError:
    print(json.dumps({"missing": "datasketch"}))
    sys.exit(3)

WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text, k=3):
    w = WORD.findall(text.lower())
    return [" ".join(w[i:i + k]).encode() for i in range(max(1, len(w) - k + 1))]


def minhash(text):
    m = MinHash(num_perm=128, seed=1)
    m.update_batch(shingles(text))
    return m


docs = open(sys.argv[1], encoding="utf-8").read().splitlines()
drafts = open(sys.argv[2], encoding="utf-8").read().splitlines()
t = time.perf_counter()
sigs = [minhash(d) for d in docs]
sig_s = time.perf_counter() - t
lsh = MinHashLSH(threshold=0.2, num_perm=128)
t = time.perf_counter()
for i, m in enumerate(sigs):
    lsh.insert(str(i), m)
insert_s = time.perf_counter() - t
lat = []
for d in drafts:
    t = time.perf_counter()
    lsh.query(minhash(d))
    lat.append(time.perf_counter() - t)
lat.sort()
print(json.dumps({
    "docs": len(docs),
    "signature_seconds": sig_s,
    "insert_seconds": insert_s,
    "query_p50_ms": lat[len(lat) // 2] * 1e3,
    "query_p99_ms": lat[min(len(lat) - 1, round((len(lat) - 1) * 0.99))] * 1e3,
}))
