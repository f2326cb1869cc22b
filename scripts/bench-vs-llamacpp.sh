#!/usr/bin/env bash
# bench-vs-llamacpp.sh: ferrum bench beside llama-bench on the same GGUF
# files, same thread count, back to back (ferrum then llama.cpp, per file),
# printing tokens/s of both, the ratio ferrum / llama.cpp and each one's
# peak RSS. Not run by CI: it needs a llama.cpp build and real-shape files.
#
#   LLAMA_BIN=/path/to/llama.cpp/build/bin scripts/bench-vs-llamacpp.sh [-p 512] [-n 128] [-t 2] [-r 3] FILE.gguf...
#
# FERRUM (default: go run ./cmd/ferrum, built once into a temp dir) and
# LLAMA_BIN (default: /work/peer/llama.cpp/build/bin) locate the binaries.
set -euo pipefail
p=512 n=128 t=2 r=3
while getopts "p:n:t:r:" o; do
	case $o in
	p) p=$OPTARG ;; n) n=$OPTARG ;; t) t=$OPTARG ;; r) r=$OPTARG ;;
	*) echo "usage: $0 [-p N] [-n N] [-t N] [-r N] FILE.gguf..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-p N] [-n N] [-t N] [-r N] FILE.gguf..." >&2; exit 2; }
LLAMA_BIN=${LLAMA_BIN:-/work/peer/llama.cpp/build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${FERRUM:-}" ]; then
	go build -o "$tmp/ferrum" "$(dirname "$0")/../cmd/ferrum"
	FERRUM=$tmp/ferrum
fi
commit=$(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "ferrum $commit; -p $p -n $n -t $t -r $r; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-28s | %-6s | %10s | %10s | %6s | %9s | %9s |\n' model test ferrum llama.cpp ratio "RSS f MiB" "RSS l MiB"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------------------------ -------- ----------: ----------: -------: ----------: ----------:
for f in "$@"; do
	if ! /usr/bin/time -f %M -o "$tmp/f.rss" "$FERRUM" bench -m "$f" -p "$p" -n "$n" -t "$t" -r "$r" --json >"$tmp/f.json"; then
		echo "$0: ferrum bench failed on $f" >&2
		exit 1
	fi
	# llama.cpp's own messages go to l.err, shown only when it fails (a
	# native build can die with SIGILL where the CPU reports AMX but the
	# VM does not grant it: point LD_LIBRARY_PATH at a build without it).
	if ! /usr/bin/time -f %M -o "$tmp/l.rss" "$LLAMA_BIN/llama-bench" -m "$f" -p "$p" -n "$n" -t "$t" -r "$r" -o json >"$tmp/l.json" 2>"$tmp/l.err"; then
		echo "$0: llama-bench failed on $f:" >&2
		tail -5 "$tmp/l.err" >&2
		grep -v '^[0-9]*$' "$tmp/l.rss" >&2 # time's "terminated by signal N"
		exit 1
	fi
	python3 - "$f" "$tmp" <<'PY'
import json, os, sys
f, tmp = sys.argv[1], sys.argv[2]
fe = json.load(open(os.path.join(tmp, "f.json")))
ll = json.load(open(os.path.join(tmp, "l.json")))
rss = lambda w: int(open(os.path.join(tmp, w + ".rss")).read().split()[-1]) // 1024
def key(x):
    return ("pp%d" % x["n_prompt"]) if x["n_prompt"] else ("tg%d" % x["n_gen"])
lt = {key(x): x for x in ll}
if ll:
    print("<!-- llama.cpp build %s (%s) -->" % (ll[0].get("build_commit"), ll[0].get("build_number")))
for x in fe:
    k = key(x)
    a, b = x["avg_ts"], lt.get(k, {}).get("avg_ts", float("nan"))
    print("| %-28s | %-6s | %10.2f | %10.2f | %6.2f | %9d | %9d |" % (os.path.basename(f)[:28], k, a, b, a / b, rss("f"), rss("l")))
PY
done
