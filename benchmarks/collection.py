"""Generate a realistic notes collection for benchmarks: papernotes YAML and the same as BibTeX.

Titles, abstracts and names are drawn from the recorded arXiv answers in
`tests/fixtures/arxiv/` plus a pool of reading-note phrases in English and Russian; ids mix
new-style 5- and 4-digit numbers and old-style ids; about a third of the notes carry a
TL;DR, some commentary (a tenth of it in Russian) and tags. Two planted words make rare and
common queries with known answers: `zebrafish` in about 0.1 % of abstracts, `model` in
about 40 %.

    python benchmarks/collection.py 10000 .bench/c10000
"""

from __future__ import annotations

import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from papernotes.note import Author, Note, dump_note  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"
RARE, COMMON = "zebrafish", "model"
CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "stat.ML", "math.CO", "math.DG", "astro-ph.EP",
              "cond-mat.stat-mech", "quant-ph", "hep-th", "cs.RO", "cs.IT"]  # fmt: skip
TAGS = ["to-read", "attention", "theory", "survey", "weekly", "reproduce", "classic",
        "journal-club", "robotics", "optimisation", "ricci-flow", "exoplanets"]  # fmt: skip
EXTRA_NAMES = ["Dirk Wübben", "Łukasz Kaiser", "Pafnuty Chebyshev", "Алексей Чебышёв",
               "José Núñez", "Zoë Müller", "Søren Kierkegaard", "李 小龍"]  # fmt: skip
RUSSIAN = ("Статья короткая, но плотная: главная идея оказалась удивительно простой. "
           "Генерация примеров и модели обучения описаны подробно, выводы убедительны, "
           "но эксперименты стоит повторить на других данных.")  # fmt: skip
ENGLISH = (
    "Worth rereading for the ablation table. The main claim holds up, but the baselines "
    "are weak and the model comparison leaves out recent work. Good for journal club."
)


def _recorded() -> tuple[list[str], list[str], list[str]]:
    """Words of recorded titles, sentences of recorded abstracts, recorded author names."""
    titles, sentences, names = [], [], []
    for path in sorted((ROOT / "tests" / "fixtures" / "arxiv").glob("*.xml")):
        for entry in ET.parse(path).getroot().iter(f"{ATOM}entry"):
            if "/abs/" not in (entry.findtext(f"{ATOM}id") or ""):
                continue
            titles += (entry.findtext(f"{ATOM}title") or "").split()
            abstract = " ".join((entry.findtext(f"{ATOM}summary") or "").split())
            sentences += [s for s in re.split(r"(?<=\.) ", abstract) if len(s) > 20]
            names += [a.findtext(f"{ATOM}name") or "" for a in entry.iter(f"{ATOM}author")]
    return titles, sentences, names


def _arxiv_id(rng: random.Random, used: set[str]) -> str:
    while True:
        kind = rng.random()
        if kind < 0.8:
            candidate = (
                f"{rng.randint(15, 25):02d}{rng.randint(1, 12):02d}.{rng.randint(1, 29999):05d}"
            )
        elif kind < 0.9:
            candidate = (
                f"{rng.randint(8, 14):02d}{rng.randint(1, 12):02d}.{rng.randint(1, 9999):04d}"
            )
        else:
            archive = rng.choice(["hep-th", "astro-ph", "math", "cond-mat", "quant-ph", "cs"])
            yymm = f"{rng.randint(92, 106) % 100:02d}{rng.randint(1, 12):02d}"
            candidate = f"{archive}/{yymm}{rng.randint(1, 999):03d}"
        if candidate not in used:
            used.add(candidate)
            return candidate


def notes(count: int, seed: int = 1) -> list[Note]:
    """`count` notes, the same ones for the same seed."""
    rng = random.Random(seed)
    title_words, sentences, names = _recorded()
    names += EXTRA_NAMES
    used: set[str] = set()
    made = []
    for n in range(count):
        arxiv_id = _arxiv_id(rng, used)
        body = rng.sample(sentences, k=rng.randint(3, 7))
        if rng.random() < 0.4:
            body.append(f"We compare the {COMMON} against strong baselines.")
        if rng.random() < 0.001 or n == count // 2:
            body.append(f"Experiments on {RARE} embryos confirm the prediction.")
        year = 2000 + int(arxiv_id[:2]) if "/" not in arxiv_id else 1998
        reader = rng.random() < 0.35
        commentary = ""
        if reader and rng.random() < 0.6:
            commentary = RUSSIAN if rng.random() < 0.1 else ENGLISH
        made.append(
            Note(
                id=arxiv_id,
                version=rng.randint(1, 4),
                title=" ".join(rng.sample(title_words, k=rng.randint(5, 12))).strip(".:,"),
                authors=[Author(a) for a in rng.sample(names, k=rng.randint(1, 6))],
                abstract=" ".join(body),
                published=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
                updated=f"{year}-12-30T12:00:00Z",
                primary_category=(cats := rng.sample(CATEGORIES, k=rng.randint(1, 3)))[0],
                categories=cats,
                comment=f"{rng.randint(5, 60)} pages" if rng.random() < 0.5 else None,
                url=f"https://arxiv.org/abs/{arxiv_id}",
                pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
                tldr=rng.choice(sentences) if reader else "",
                findings=rng.sample(sentences, k=2) if reader and rng.random() < 0.5 else [],
                commentary=commentary,
                tags=rng.sample(TAGS, k=rng.randint(0, 3)),
                added=f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T09:00:00Z",
            )
        )
    return made


def bibtex(note: Note) -> str:
    """A plain @misc entry, the form arXiv exports, for the other tools to import."""

    def clean(text: str) -> str:
        text = text.replace("{", "").replace("}", "").replace("\\", "")
        return re.sub(r"([%&#$])", r"\\\1", text)

    key = re.sub(r"\W", "", note.id)
    fields = {
        "title": note.title,
        "author": " and ".join(a.name for a in note.authors),
        "year": note.published[:4] if note.published else "",
        "eprint": note.id,
        "archivePrefix": "arXiv",
        "primaryClass": note.primary_category,
        "abstract": note.abstract,
        "url": note.url or "",
    }
    body = ",\n".join(f"  {k} = {{{clean(v)}}}" for k, v in fields.items() if v)
    return f"@misc{{{key},\n{body}\n}}\n"


def write(count: int, folder: Path, seed: int = 1) -> list[Note]:
    """Write the collection into `folder/notes/` and `folder/corpus.bib`."""
    made = notes(count, seed)
    target = folder / "notes"
    target.mkdir(parents=True, exist_ok=True)
    for note in made:
        (target / f"{note.ref.stem}.yaml").write_text(dump_note(note), encoding="utf-8")
    (folder / "corpus.bib").write_text("\n".join(bibtex(n) for n in made), encoding="utf-8")
    return made


def ensure(size: int, work: Path) -> Path:
    """The folder of the collection of `size` notes under `work`, generated the first time."""
    folder = work / f"c{size}"
    done = folder / ".complete"
    if not done.exists():
        print(f"generating {size} notes in {folder} ...", file=sys.stderr)
        started = time.perf_counter()
        write(size, folder)
        done.touch()
        print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder


if __name__ == "__main__":
    write(int(sys.argv[1]), Path(sys.argv[2]))
