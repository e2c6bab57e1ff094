"""Synthetic records for scale tests: fictional victims written as the same CSV tables as data/, so that
`footprints-graph build --data DIR --base https://w3id.org/footprints-graph/synthetic/` turns them into RDF
through the real converter (one code path for real and synthetic records).

The proportions follow the seed: categories weighted by the page's and the ministries' counts, wartime ages
by the page's age groups, dates inside each category's legal window, some dates only to the year or month.
Names are drawn from syllable and surname tables written here, never from a list of people. Every record
cites a synthetic document whose label begins "Synthetic data — not a real record", and built with the
synthetic base every IRI and named graph lies under SYNTHETIC_BASE. The same seed writes the same bytes.

Beside the victims, every kind of record the real tables hold (issue 15), so that every library query and page
has something to answer at every size: the fixed ones (instruments, UN-style documents, group acts that breach
them, a claim, a finding, bodies linked to Wikidata) come from synth_reference.py; figures, registers and media
grow with the victims; some second listings give another category, and one breakdown's total is stale, so the
build records inconsistencies of both kinds.
"""

import csv
import math
import random
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

from footprints_graph.convert.records import PEOPLE, TABLES
from footprints_graph.convert.synth_model import (
    CATEGORIES,
    CUTOFF,
    DISPUTED_EVERY,
    EXAMPLE_NAME,
    FAMILY_SHARE,
    FIRST_SYLLABLES,
    MARKER,
    MEDIA_TYPES,
    NOTICE,
    NOTICE_KEY,
    PRECISIONS,
    RESTRICTED_SHARE,
    SECOND_SYLLABLES,
    SURNAME_TABLE,
    VICTIMS_PER_MEDIA_ITEM,
    Category,
    Documents,
    Name,
    Outcome,
    SynthError,
    Tables,
    Victim,
)
from footprints_graph.convert.synth_reference import ORGANISATIONS, reference_tables
from footprints_graph.iris import slug
from footprints_graph.records.tables import TableSpec

__all__ = ["CATEGORIES", "MARKER", "NOTICE", "ORGANISATIONS", "synthesize", "write_synthetic"]  # what tests use


def synthesize(victims: int, seed: int) -> Tables:
    """The record tables of `victims` synthetic victims, drawn from `seed`."""
    if victims < 1:
        raise SynthError(f"--victims must be at least 1, not {victims}")
    rng = random.Random(seed)
    slots = _allocate(victims, {c.notation: c.weight for c in CATEGORIES}, rng)
    documents = {c.notation: _documents(c, slots.count(c.notation)) for c in CATEGORIES}
    ages = {c.notation: _ages(c, slots.count(c.notation), rng) for c in CATEGORIES}
    by_notation = {c.notation: c for c in CATEGORIES}
    people = [_victim(number, by_notation[notation], ages[notation].pop(), rng)
              for number, notation in enumerate(slots, start=1)]
    _link_families(people, rng)
    tables = reference_tables(documents)
    _add_victims(tables, people, documents, rng)
    _add_figures(tables, people)
    _add_wartime_lists(tables, [v for v in people if v.category.notation == "wartime-abductee"])
    _add_outcome_figures(tables, people)
    _add_media(tables, people)
    return tables


def _allocate(total: int, weights: dict[str, int], rng: random.Random) -> list[str]:
    """`total` labels in the proportions of `weights` (largest remainders, at least one of each label when
    there is room), shuffled."""
    counts = _quotas(total, weights)
    labels = [label for label, n in counts.items() for _ in range(n)]
    rng.shuffle(labels)
    return labels


def _quotas(total: int, weights: dict[str, int]) -> dict[str, int]:
    floor = 1 if total >= len(weights) else 0  # even a small sample holds a POW and a detainee
    spare = total - floor * len(weights)
    whole = sum(weights.values())
    exact = {label: spare * w / whole for label, w in weights.items()}
    counts = {label: floor + int(share) for label, share in exact.items()}
    by_remainder = sorted(weights, key=lambda label: (-(exact[label] % 1), label))
    for label in by_remainder[: total - sum(counts.values())]:
        counts[label] += 1
    return counts


def _ages(category: Category, count: int, rng: random.Random) -> list[int]:
    """Ages when taken: decades in the category's proportions, the year within the decade at random."""
    decades = _allocate(count, {str(d): w for d, w in category.ages.items()}, rng) if count else []
    return [int(decade) + rng.randrange(10) for decade in decades]


def _documents(category: Category, victims: int) -> Documents:
    """The category's synthetic documents, about one per 250 victims, issued from its first year to the
    cut-off year (the last one then can cite anything that happened)."""
    count = max(2, math.ceil(victims / 250)) if victims else 0
    years = [category.first_document_year + i * (CUTOFF.year - category.first_document_year) // (count - 1)
             for i in range(count)]
    return Documents([f"synthetic-{category.notation}-{i + 1:04d}" for i in range(count)], years)


def _victim(number: int, category: Category, age: int, rng: random.Random) -> Victim:
    name, restricted = _name(rng), rng.random() < RESTRICTED_SHARE
    if number == 1:  # the person the library's query by name is asked for on synthetic records: published
        name, restricted = EXAMPLE_NAME, False
    return Victim(f"{slug(name.romanized)}-{number}", name, category, age, _act_day(category, rng),
                  restricted=restricted)


def _name(rng: random.Random, surname: tuple[str, str, str] | None = None) -> Name:
    hangul_surname, surname_rr, surname_variant = surname or SURNAME_TABLE.draw(rng)
    (first_ko, first_rr, first_var), (second_ko, second_rr, second_var) = (
        rng.choice(FIRST_SYLLABLES), rng.choice(SECOND_SYLLABLES))
    return Name(f"{surname_rr} {first_rr.capitalize()}-{second_rr}", f"{surname_variant} {first_var.capitalize()}-{second_var}",
                f"{hangul_surname}{first_ko}{second_ko}")


def _act_day(category: Category, rng: random.Random) -> date:
    span = category.peak if category.peak and rng.random() < 0.75 else category.window
    return _day_between(span[0], span[1], rng)


def _day_between(first: date, last: date, rng: random.Random) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _link_families(people: list[Victim], rng: random.Random) -> None:
    """Some victims were taken with a relative: the next victim of the same category, now and then."""
    for victim, following in pairwise(people):
        if victim.category is following.category and not victim.note and rng.random() < FAMILY_SHARE:
            _take_together(victim, following, rng)


def _take_together(victim: Victim, relative: Victim, rng: random.Random) -> None:
    """Make `relative` a family member taken with `victim`: the same day, the same family name (unless a
    spouse, who keeps their own), a note on both records naming the other."""
    kinship = _kinship(relative.age - victim.age, rng)
    if kinship != "spouse":
        surname = next(s for s in SURNAME_TABLE.items if victim.name.romanized.startswith(s[1] + " "))
        relative.name = _name(rng, surname)
        relative.key = f"{slug(relative.name.romanized)}-{relative.key.rsplit('-', 1)[1]}"
    relative.taken = victim.taken
    victim.note = f"Taken together with {_THEIR[kinship]} {relative.name.romanized} ({relative.key})."
    relative.note = f"Taken together with {_THEIR[_INVERSE[kinship]]} {victim.name.romanized} ({victim.key})."


_THEIR = {"parent": "their parent", "child": "their child", "sibling": "their sibling", "spouse": "their spouse"}
_INVERSE = {"parent": "child", "child": "parent", "sibling": "sibling", "spouse": "spouse"}


def _kinship(years_older: int, rng: random.Random) -> str:
    """The relative's tie, as their age allows: a generation apart is a parent or child."""
    if years_older >= 18:
        return "parent"
    if years_older <= -18:
        return "child"
    return "spouse" if abs(years_older) < 10 and rng.random() < 0.3 else "sibling"


def _add_victims(tables: Tables, people: list[Victim], documents: dict[str, Documents], rng: random.Random) -> None:
    """Each victim's listings, act, later event and status. The first victim of a category with a `first_outcome`
    meets it; one second listing in DISPUTED_EVERY (the first among them) gives the category's `confused_with`."""
    met, second_listings = set(), 0
    for victim in people:
        category = victim.category
        outcome = category.outcomes.draw(rng)
        if category.first_outcome and category.notation not in met:
            outcome = category.first_outcome
        met.add(category.notation)
        disputed = second_listings % DISPUTED_EVERY == 0
        second_listings += _add_victim(tables, victim, documents[category.notation], outcome, disputed, rng)


def _add_victim(tables: Tables, victim: Victim, documents: Documents, outcome: Outcome, disputed: bool,
                rng: random.Random) -> bool:
    """Add the victim's records; True if a second source lists them (under another category if `disputed`)."""
    later = _later_day(victim.taken, outcome, rng)
    victim.outcome, victim.later = outcome, later
    first, second = documents.sources((later or victim.taken).year, rng)
    source = documents.keys[first]
    second_source = documents.keys[second] if second is not None else None
    _add_listings(tables, victim, source, second_source, disputed)
    _add_act(tables, victim, source, rng)
    as_of = str(documents.years[first])  # no later event: the status is what the document says when issued
    if later:
        as_of = _partial_date(later, rng)
        tables.add("events", key=f"{victim.key}-{outcome.event_type}", event_type=outcome.event_type,
                   person=victim.key, date=as_of, date_basis="stated", source=source)
    tables.add("statuses", key=f"{victim.key}-status", person=victim.key, status=outcome.status, as_of=as_of,
               source=source)
    return second_source is not None


def _later_day(taken: date, outcome: Outcome, rng: random.Random) -> date | None:
    if not outcome.event_type:
        return None
    low, high = outcome.years_after
    later = taken + timedelta(days=1 + int(365.25 * rng.uniform(low, high)))
    return min(later, CUTOFF)


def _add_listings(tables: Tables, victim: Victim, source: str, second: str | None, disputed: bool) -> None:
    common = {"person": victim.key, "restricted": "true" if victim.restricted else "false"}
    category = victim.category
    tables.add("people", **common, category=category.notation, name=victim.name.romanized,
               alt_names=victim.name.hangul, credited_to=category.credited_to, source=source, note=victim.note)
    if second:
        tables.add("people", **common, category=category.confused_with if disputed else category.notation,
                   name=victim.name.variant, source=second)


def _add_act(tables: Tables, victim: Victim, source: str, rng: random.Random) -> None:
    category = victim.category
    occupation = victim.occupation = category.occupations.draw(rng)
    tables.add("events", key=f"{victim.key}-{category.act}", event_type=category.act, person=victim.key,
               date=_partial_date(victim.taken, rng), date_basis="stated",
               perpetrator="synthetic-perpetrator-state", age=str(victim.age), occupation=occupation,
               part_of="synthetic-korean-war" if category.part_of_war else "", source=source)


def _partial_date(day: date, rng: random.Random) -> str:
    """`day` as a source might state it: to the year, the month or the day. A coarser date still overlaps the
    window `day` lies in, which is how the shapes read a partial date (a wartime abduction may say "1950")."""
    precision = PRECISIONS.draw(rng)
    if precision == "year":
        return str(day.year)
    return f"{day.year}-{day.month:02d}" if precision == "month" else day.isoformat()


def _add_figures(tables: Tables, people: list[Victim]) -> None:
    """The synthetic graph's own headline counts, as the page gives the real ones (Data Cube observations)."""
    as_of = CUTOFF.isoformat()
    by_category = Counter(v.category.notation for v in people)
    wartime_decades = Counter(f"{v.age // 10 * 10}s" for v in people if v.category.notation == "wartime-abductee")
    tables.add("datasets", key="synthetic-categories", label=f"{NOTICE}: victims by category",
               structure="category-outcome", complete_breakdown="true", source=NOTICE_KEY)
    for category in CATEGORIES:
        tables.add("figures", key=f"synthetic-{category.notation}-documented", dataset="synthetic-categories",
                   victim_category=category.notation, outcome="documented", count=str(by_category[category.notation]),
                   qualifier="exact", population="persons", as_of=as_of, source=NOTICE_KEY)
    tables.add("datasets", key="synthetic-wartime-by-age-group", label=f"{NOTICE}: wartime abductees by age group",
               structure="age-group", complete_breakdown="true", total="synthetic-wartime-abductee-documented",
               source=NOTICE_KEY)
    for decade, count in sorted(wartime_decades.items()):
        tables.add("figures", key=f"synthetic-wartime-age-{decade}", dataset="synthetic-wartime-by-age-group",
                   victim_category="wartime-abductee", outcome="documented", age_group=decade, count=str(count),
                   qualifier="exact", population="persons", as_of=as_of, source=NOTICE_KEY)


def _add_media(tables: Tables, people: list[Victim]) -> None:
    """Photographs and letters about each category's victims (one per VICTIMS_PER_MEDIA_ITEM, at least one for
    a category with victims), credited as the real ones are: a credit line and the organisation that holds them."""
    by_category = Counter(v.category.notation for v in people)
    for category in CATEGORIES:
        items = math.ceil(by_category[category.notation] / VICTIMS_PER_MEDIA_ITEM)
        for number in range(1, items + 1):
            media_type = MEDIA_TYPES[number % len(MEDIA_TYPES)]
            tables.add("media", key=f"synthetic-{category.notation}-{media_type}-{number}",
                       title=f"{NOTICE}: {media_type} no. {number} of the {category.register}",
                       media_type=media_type, credit="Synthetic archive (not a real collection)",
                       credited_to=category.credited_to, victim_category=category.notation, source=NOTICE_KEY)


# The real post-war figures break the abductees down by these subgroups (MOU); a synthetic abductee's occupation
# places them in one.
SUBGROUP_OF_OCCUPATION = {"fisherman": "fishermen", "airline passenger": "kal-aircraft",
                          "airline crew member": "kal-aircraft", "soldier": "military-and-police",
                          "police officer": "military-and-police", "student": "others-in-the-south",
                          "business person": "others-in-the-south"}
# A post-war abductee's figure outcome, by their later event (none: still held)
POST_WAR_OUTCOME = {"repatriation": "repatriated", "escape-and-return": "escaped-and-returned", None: "still-detained"}


def _add_outcome_figures(tables: Tables, people: list[Victim]) -> None:
    """What became of the synthetic victims, as the real figures count it: those still detained per category,
    the post-war abductees by subgroup and outcome, the POWs who escaped (by year) or died. Counted from the
    victims themselves, so the figures and the records agree."""
    _add_still_detained(tables, people)
    _add_post_war_by_subgroup(tables, [v for v in people if v.category.notation == "post-war-abductee"])
    _add_pow_outcomes(tables, [v for v in people if v.category.notation == "prisoner-of-war"])


def _figure_dataset(tables: Tables, key: str, label: str, structure: str, total: str = "") -> None:
    tables.add("datasets", key=key, label=f"{NOTICE}: {label}", structure=structure, complete_breakdown="false",
               total=total, source=NOTICE_KEY)


def _add_figure(tables: Tables, key: str, dataset: str, category: str, outcome: str, count: int,
                as_of: str = CUTOFF.isoformat(), **dimensions: str) -> None:
    tables.add("figures", key=key, dataset=dataset, victim_category=category, outcome=outcome, count=str(count),
               qualifier="exact", population="persons", as_of=as_of, source=NOTICE_KEY, **dimensions)


def _add_wartime_lists(tables: Tables, wartime: list[Victim]) -> None:
    """The wartime lists, as the real ones count names (1952, 1953): the abductees taken by the end of each year.
    And the families union's yearbook, whose table by age group is current but whose headline total was left a
    year old, lower than the table by those documented since: a breakdown whose parts exceed its total, which the
    build records as an inconsistency, as it does for the real records."""
    _figure_dataset(tables, "synthetic-wartime-lists", "wartime abductee lists", "subgroup")
    for subgroup, year in (("list-1952-government", 1952), ("list-1953", 1953)):
        _add_figure(tables, f"synthetic-wartime-{subgroup}", "synthetic-wartime-lists", "wartime-abductee", "listed",
                    sum(v.taken.year <= year for v in wartime), as_of=str(year), subgroup=subgroup)
    total = "synthetic-union-wartime-total"
    _figure_dataset(tables, "synthetic-union-headline", "the families union's headline figure", "category-outcome")
    _add_figure(tables, total, "synthetic-union-headline", "wartime-abductee", "documented",
                max(0, len(wartime) - max(1, len(wartime) // 100)), as_of=str(CUTOFF.year - 1))
    _figure_dataset(tables, "synthetic-union-yearbook", "the families union's yearbook, wartime abductees by age group",
                    "age-group", total)
    decades = Counter(f"{v.age // 10 * 10}s" for v in wartime)
    for decade, count in sorted(decades.items()):
        _add_figure(tables, f"synthetic-union-wartime-age-{decade}", "synthetic-union-yearbook", "wartime-abductee",
                    "documented", count, age_group=decade)


def _add_still_detained(tables: Tables, people: list[Victim]) -> None:
    held = Counter(v.category.notation for v in people if v.outcome.status == "detained")
    _figure_dataset(tables, "synthetic-still-detained", "victims still detained", "category-outcome")
    for category in sorted(held):
        _add_figure(tables, f"synthetic-{category}-still-detained", "synthetic-still-detained", category,
                    "still-detained", held[category])


def _add_post_war_by_subgroup(tables: Tables, abductees: list[Victim]) -> None:
    taken = Counter(SUBGROUP_OF_OCCUPATION[v.occupation] for v in abductees)
    outcomes = Counter((SUBGROUP_OF_OCCUPATION[v.occupation], POST_WAR_OUTCOME[v.outcome.event_type])
                       for v in abductees)
    _figure_dataset(tables, "synthetic-post-war-by-subgroup", "post-war abductees by subgroup", "subgroup")
    counts = {**{(subgroup, "taken"): n for subgroup, n in taken.items()}, **outcomes}
    for (subgroup, outcome), count in sorted(counts.items()):
        _add_figure(tables, f"synthetic-post-war-{outcome}-{subgroup}", "synthetic-post-war-by-subgroup",
                    "post-war-abductee", outcome, count, subgroup=subgroup)


def _add_pow_outcomes(tables: Tables, pows: list[Victim]) -> None:
    """The POWs who escaped and returned and those who died (both even when none did: the count is 0), and the
    escapes by year of return."""
    events = Counter(v.outcome.event_type for v in pows)
    _figure_dataset(tables, "synthetic-pow-outcomes", "prisoners of war who escaped or died", "category-outcome")
    for event_type, outcome in (("escape-and-return", "escaped-and-returned"), ("death", "deceased")):
        _add_figure(tables, f"synthetic-pow-{outcome}", "synthetic-pow-outcomes", "prisoner-of-war", outcome,
                    events[event_type])
    years = Counter(v.later.year for v in pows if v.outcome.event_type == "escape-and-return")
    _figure_dataset(tables, "synthetic-pow-escapes-by-year", "prisoners of war who escaped, by year of return",
                    "year")
    for year in sorted(years):
        _add_figure(tables, f"synthetic-pow-escaped-{year}", "synthetic-pow-escapes-by-year", "prisoner-of-war",
                    "escaped-and-returned", years[year], ref_year=str(year))


def write_synthetic(out: Path, victims: int, seed: int) -> dict[str, int]:
    """Write the synthetic record tables into `out`; return the number of rows per table."""
    _check_output_folder(out)
    tables = synthesize(victims, seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(_marker_text(victims, seed), encoding="utf-8")
    headers = {PEOPLE.kind: _header(PEOPLE), **{t.spec.kind: _header(t.spec) for t in TABLES}}
    for table, rows in sorted(tables.rows.items()):
        _write_csv(out / f"{table}.csv", headers[table], rows)
    return {table: len(rows) for table, rows in sorted(tables.rows.items())}


def _check_output_folder(out: Path) -> None:
    """Refuse a folder of real records: synthetic tables go only into a new folder or an earlier synth output."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SynthError(f"{out} is not empty and holds no {MARKER}: synthetic records are never written among "
                         "other files (choose a new folder)")


def _marker_text(victims: int, seed: int) -> str:
    return (f"# {NOTICE}\n\nWritten by `footprints-graph synth --victims {victims} --seed {seed}`. Every record here "
            "is invented. Build it only with the synthetic base:\n\n"
            "    footprints-graph build --data THIS_FOLDER --base https://w3id.org/footprints-graph/synthetic/ "
            "--home ELSEWHERE\n")


def _header(spec: TableSpec) -> list[str]:
    return [spec.key, *spec.required, *spec.optional]


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
