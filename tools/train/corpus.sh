#!/usr/bin/env bash
# Builds the demo model's training corpus from public-domain texts shipped in Debian 12 packages.
# Writes $DIR/raw/*.txt (the texts as the packages ship them) and $DIR/corpus.jsonl (cleaned,
# deduplicated documents; see prepare_corpus.py). Needs root for apt-get; no other network.
#
#   bash tools/train/corpus.sh            # DIR defaults to .demo-corpus (git-ignored)
set -euo pipefail
DIR=${1:-.demo-corpus}
HERE=$(cd "$(dirname "$0")" && pwd)

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  r-base-core r-cran-janeaustenr r-cran-tokenizers diatheke sword-text-web dict-devil >/dev/null

mkdir -p "$DIR/raw"
cd "$DIR/raw"
# Jane Austen's six novels (janeaustenr) and Moby-Dick (the tokenizers package's `mobydick`).
Rscript -e 'library(janeaustenr); b <- austen_books();
  for (t in unique(as.character(b$book))) writeLines(b$text[b$book == t], paste0("austen-", gsub("[^A-Za-z]", "_", t), ".txt"));
  library(tokenizers); writeLines(mobydick, "mobydick.txt")'
# The World English Bible, plain text, footnotes inline in [brackets] (prepare_corpus.py drops them).
diatheke -b engWEB2015eb -f plain -o f -k "Genesis 1:1 - Revelation 22:21" > web.txt
# Ambrose Bierce's The Devil's Dictionary in dictd format.
zcat /usr/share/dictd/devil.dict.dz > devil.txt
cd - >/dev/null

python3 "$HERE/prepare_corpus.py" "$DIR/raw" "$DIR/corpus.jsonl"
