#!/usr/bin/env python3
"""Writes a dump of N disjoint copies of a dump: every file renamed copyK/FILE (built-ins get
' #K' after their name). With --shared, the copies' edge timing tuples are the same objects, so
marshal writes each once and names it again by reference, as scripts that build or merge stats
dicts do; without it every tuple is written out.

    python3 bench/inputs/make-copies.py SRC DST N [--shared]
"""
import marshal
import sys


def main():
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shared = "--shared" in sys.argv[4:]
    with open(src, "rb") as f:
        stats = marshal.load(f)
    out = {}
    for k in range(n):
        def rename(f, k=k):
            return (("copy%d/" % k) + f[0], f[1], f[2]) if f[0] != "~" else (f[0], f[1], "%s #%d" % (f[2], k))

        for f, (cc, nc, tt, ct, callers) in stats.items():
            out[rename(f)] = (cc, nc, tt, ct, {rename(c): (v if shared else tuple(list(v)) if isinstance(v, tuple) else v) for c, v in callers.items()})
    with open(dst, "wb") as f:
        marshal.dump(out, f)


if __name__ == "__main__":
    main()
