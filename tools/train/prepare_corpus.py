#!/usr/bin/env python3
"""Cleans the raw public-domain texts of corpus.sh into documents for train.py.

  python3 tools/train/prepare_corpus.py RAW_DIR OUT.jsonl

One JSON object a line: {"source": "austen/Emma", "paragraphs": ["...", ...]}, a document being a
chapter. Cleaning: publisher front and back matter dropped, wrapped lines joined into paragraphs
(verse keeps its line breaks), _italic_ markers and Bible footnotes removed, typographic quotes
made ASCII, whitespace collapsed, NFC; paragraphs that occur twice anywhere are kept once.
Standard library only, so it runs anywhere corpus.sh does.
"""
import glob
import hashlib
import json
import os
import re
import sys
import unicodedata

# Books of the World English Bible that tell a story; the laws, genealogies, poetry and letters
# would pull the model away from narrative prose.
BIBLE_NARRATIVE = [
    "Genesis", "Exodus", "Joshua", "Judges", "Ruth", "I Samuel", "II Samuel", "I Kings", "II Kings",
    "Esther", "Daniel", "Jonah", "Tobit", "Judith", "Matthew", "Mark", "Luke", "John", "Acts",
]

# Psalm superscriptions that diatheke's plain output lets leak between verses of other books.
HEADING = re.compile(r"\[\]|[Pp]salm|Chief Musician|^By David\.|^A [Ss]ong|^A contemplation|^Selah\.")

QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\ufeff": None})


def clean_text(s):
    s = unicodedata.normalize("NFC", s.translate(QUOTES))
    s = re.sub(r"(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])", "", s)  # _italics_ markers, not snake_case
    s = re.sub(r"[ \t\u00a0]+", " ", s)
    return s.strip()


def paragraphs(lines):
    """Blank-line separated blocks; prose lines joined by spaces, indented verse kept as lines."""
    out, block = [], []

    def flush():
        if not block:
            return
        indented = sum(1 for l in block if l.startswith("    ")) * 2 > len(block)
        text = "\n".join(clean_text(l) for l in block) if indented else clean_text(" ".join(l.strip() for l in block))
        if text:
            out.append(text)
        block.clear()

    for line in lines:
        if line.strip():
            block.append(line.rstrip())
        else:
            flush()
    flush()
    return out


def split_chapters(lines, heading):
    """Chapters start at lines matching heading; the heading itself is dropped."""
    chapters, cur = [], None
    for line in lines:
        if heading.match(line):
            cur = []
            chapters.append(cur)
        elif cur is not None:
            cur.append(line)
    return chapters


def austen(raw):
    docs = []
    heading = re.compile(r"^\s*(CHAPTER|Chapter)\s+[0-9IVXLC]+\.?\s*$")
    for path in sorted(glob.glob(os.path.join(raw, "austen-*.txt"))):
        title = os.path.basename(path)[len("austen-"):-len(".txt")].replace("___", " & ").replace("_", " ")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for ch in split_chapters(lines, heading):
            ps = [p for p in paragraphs(ch) if not re.fullmatch(r"VOLUME [IVX]+|THE END|FINIS", p)]
            if ps:
                docs.append({"source": "austen/" + title, "paragraphs": ps})
    return docs


def moby(raw):
    with open(os.path.join(raw, "mobydick.txt"), encoding="utf-8") as f:
        text = f.read()
    end = text.find("*** END OF TH")
    if end >= 0:
        text = text[:end]
    lines = text.splitlines()
    docs = []
    for ch in split_chapters(lines, re.compile(r"^(CHAPTER \d+\.|Epilogue)")):
        ps = [p for p in paragraphs(ch) if not p.startswith("End of Project Gutenberg")]
        if ps:
            docs.append({"source": "melville/Moby-Dick", "paragraphs": ps})
    return docs


def bible(raw, verses_per_paragraph=4):
    verse = re.compile(r"^\s*((?:I{1,3}V? )?[A-Z][A-Za-z ()]+?) (\d+):(\d+): ?(.*)$")
    chapters = {}  # (book, chapter) -> [verse text]
    order = []
    cur = None
    with open(os.path.join(raw, "web.txt"), encoding="utf-8") as f:
        for line in f:
            m = verse.match(line)
            if m:
                key = (m.group(1), int(m.group(2)))
                if key not in chapters:
                    chapters[key] = []
                    order.append(key)
                chapters[key].append(m.group(4).strip())
                cur = key
            elif cur is not None and line.strip() and not line.startswith("(engWEB") and not HEADING.search(line):
                chapters[cur][-1] += " " + line.strip()  # a verse of poetry spans lines
    docs = []
    for book, ch in order:
        if book not in BIBLE_NARRATIVE:
            continue
        vs = [re.sub(r"\s*\[\d+:\d+[^\]]*\]", "", v) for v in chapters[(book, ch)]]
        vs = [clean_text(v) for v in vs if v.strip()]
        ps = [" ".join(vs[i:i + verses_per_paragraph]) for i in range(0, len(vs), verses_per_paragraph)]
        docs.append({"source": "web/" + book, "paragraphs": ps})
    return docs


def devil(raw):
    with open(os.path.join(raw, "devil.txt"), encoding="utf-8") as f:
        text = f.read()
    start = text.find("PREFACE")
    text = text[start:] if start >= 0 else text
    ps = [p for p in paragraphs(text.splitlines()[1:]) if not re.fullmatch(r"[a-z ]+", p)]
    # One document per letter of the alphabet keeps documents chapter-sized.
    docs, cur, letter = [], [], None
    for p in ps:
        m = re.match(r"([A-Z])[A-Z' -]*, ", p)
        if m and m.group(1) != letter and cur:
            docs.append({"source": "bierce/The Devil's Dictionary", "paragraphs": cur})
            cur = []
        if m:
            letter = m.group(1)
        cur.append(p)
    if cur:
        docs.append({"source": "bierce/The Devil's Dictionary", "paragraphs": cur})
    return docs


def main():
    raw, out = sys.argv[1], sys.argv[2]
    docs = austen(raw) + moby(raw) + bible(raw) + devil(raw)
    seen = set()
    kept, dropped = [], 0
    for d in docs:
        ps = []
        for p in d["paragraphs"]:
            key = hashlib.sha1(re.sub(r"\W+", " ", p.lower()).strip().encode()).digest()
            if key in seen:
                dropped += 1
                continue
            seen.add(key)
            ps.append(p)
        if ps:
            kept.append({"source": d["source"], "paragraphs": ps})
    with open(out, "w", encoding="utf-8") as f:
        for d in kept:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    stats = {}
    for d in kept:
        s = d["source"].split("/")[0]
        n = sum(len(p) for p in d["paragraphs"])
        stats[s] = stats.get(s, 0) + n
    print(json.dumps({"documents": len(kept), "duplicate_paragraphs_dropped": dropped,
                      "chars_by_source": stats, "chars": sum(stats.values())}))


if __name__ == "__main__":
    main()
