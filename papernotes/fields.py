"""The fields search looks in, in the full-text index's column order, and the weight of a
hit in each: hits in the title, the TL;DR and the tags count most. `names` holds authors'
names as written (not stemmed), for `author:`; a plain word is looked for everywhere else."""

WEIGHTS = {
    "title": 3.0,
    "tldr": 2.5,
    "tags": 2.5,
    "authors": 2.0,
    "notes": 1.5,
    "abstract": 1.0,
    "extra": 0.7,
    "names": 2.0,
}
FIELDS = tuple(WEIGHTS)
EVERYWHERE = FIELDS[:-1]
