"""What synthetic records are made of: the name tables, the categories with their legal windows and weights,
the organisations, and the tables being filled (synth.py draws the victims and writes the tables)."""

import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from footprints_graph.errors import FootprintsError

NOTICE = "Synthetic data — not a real record"
NOTICE_KO = "합성 데이터 — 실제 기록 아님"
NOTICE_KEY = "synthetic-data-notice"
MARKER = "SYNTHETIC.md"  # marks a folder as synth output: synth never writes into a folder without it
EXAMPLE_SITE = "https://example.org/footprints-graph-synthetic/"  # a documents' address that is no real site (RFC 2606)
CUTOFF = date(2024, 12, 31)  # no synthetic event after this day
FAMILY_SHARE = 0.04  # of victims taken together with a relative (the next victim of the same category)
SECOND_LISTING_SHARE = 0.12  # of victims listed by a second document, under a variant spelling
RESTRICTED_SHARE = 0.005
DISPUTED_EVERY = 40  # one second listing in this many (the first among them) gives another category, as sources do
VICTIMS_PER_MEDIA_ITEM = 1000  # the real records hold a photograph or a letter for about one victim in a thousand
MEDIA_TYPES = ("photograph", "letter")

# (Hangul, Revised Romanization as commonly written, a common variant spelling, weight per mille)
SURNAMES = (
    ("김", "Kim", "Gim", 215), ("이", "Lee", "Yi", 147), ("박", "Park", "Pak", 84), ("최", "Choi", "Choe", 47),
    ("정", "Jeong", "Chung", 44), ("강", "Kang", "Gang", 23), ("조", "Cho", "Jo", 21), ("윤", "Yoon", "Yun", 20),
    ("장", "Jang", "Chang", 20), ("임", "Lim", "Im", 16), ("한", "Han", "Hahn", 15), ("오", "Oh", "O", 15),
    ("서", "Seo", "Suh", 15), ("신", "Shin", "Sin", 14), ("권", "Kwon", "Gwon", 14), ("황", "Hwang", "Whang", 14),
    ("안", "Ahn", "An", 13), ("송", "Song", "Soung", 13), ("전", "Jeon", "Chun", 11), ("홍", "Hong", "Houng", 11),
    ("유", "Yoo", "Yu", 10), ("고", "Ko", "Go", 9), ("문", "Moon", "Mun", 9), ("양", "Yang", "Ryang", 9),
    ("손", "Son", "Sohn", 9), ("배", "Bae", "Pae", 8), ("백", "Baek", "Paik", 8), ("허", "Heo", "Huh", 6),
    ("남", "Nam", "Nahm", 5), ("노", "Noh", "Roh", 4),
)
# Given names are a first syllable from one table and a second from the other: (Hangul, romanized, variant).
# The two tables are disjoint from the given names in data/people.csv, so no combination repeats one.
FIRST_SYLLABLES = (
    ("영", "yeong", "young"), ("정", "jeong", "jung"), ("성", "seong", "sung"), ("상", "sang", "sahng"),
    ("동", "dong", "tong"), ("경", "gyeong", "kyung"), ("명", "myeong", "myung"), ("태", "tae", "tai"),
    ("재", "jae", "jay"), ("병", "byeong", "byung"), ("창", "chang", "chahng"), ("만", "man", "mahn"),
    ("복", "bok", "pok"), ("덕", "deok", "duk"), ("기", "gi", "ki"), ("학", "hak", "hahk"), ("순", "sun", "soon"),
    ("옥", "ok", "ohk"), ("금", "geum", "keum"), ("봉", "bong", "pong"), ("용", "yong", "yung"),
    ("종", "jong", "chong"), ("대", "dae", "tae"), ("익", "ik", "ick"),
)
SECOND_SYLLABLES = (
    ("수", "su", "soo"), ("식", "sik", "shik"), ("석", "seok", "suk"), ("환", "hwan", "hwahn"), ("구", "gu", "koo"),
    ("일", "il", "eel"), ("배", "bae", "pae"), ("래", "rae", "lae"), ("자", "ja", "cha"), ("희", "hui", "hee"),
    ("숙", "suk", "sook"), ("남", "nam", "nahm"), ("근", "geun", "keun"), ("규", "gyu", "kyu"),
    ("택", "taek", "tack"), ("섭", "seop", "sub"), ("례", "rye", "rae"), ("분", "bun", "boon"),
    ("선", "seon", "sun"), ("표", "pyo", "pyoh"), ("삼", "sam", "sahm"),
)


class Weighted:
    """Items drawn in proportion to their weights (cumulative weights computed once: a victim draws several)."""

    def __init__(self, weights: dict):
        self.weights = weights
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def draw(self, rng: random.Random):
        return self.items[bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


PRECISIONS = Weighted({"year": 20, "month": 30, "day": 50})  # how precisely a source states a date
SURNAME_TABLE = Weighted({(ko, rr, variant): weight for ko, rr, variant, weight in SURNAMES})


@dataclass(frozen=True)
class Outcome:
    """What became of a victim: a later event (or none), the status it leads to, and when, in years after the act."""

    event_type: str | None
    status: str
    years_after: tuple[float, float] = (0, 0)


@dataclass(frozen=True)
class Category:
    notation: str
    weight: int
    act: str
    window: tuple[date, date]
    ages: dict[int, int]  # decade when taken → weight
    occupations: Weighted
    outcomes: Weighted  # of Outcome
    credited_to: str
    first_document_year: int
    register: str  # what its synthetic documents are called
    confused_with: str  # the category another source sometimes lists its victims under
    part_of_war: bool = False
    peak: tuple[date, date] | None = None  # most acts fall in this span (three quarters), the rest anywhere
    first_outcome: Outcome | None = None  # the first victim's, so that even a small sample holds it


WAR = (date(1950, 6, 25), date(1953, 7, 27))  # ROK Act No. 10190
POW_ESCAPE = Outcome("escape-and-return", "returned", (41, 57))
CATEGORIES = (
    # 94,025: the page's age groups summed (FOOTPRINTS' wartime-abductee records)
    Category("wartime-abductee", 94025, "abduction", WAR, {10: 12679, 20: 56437, 30: 17063, 40: 5329, 50: 2517},
             Weighted({"farmer": 25, "student": 20, "civil servant": 12, "police officer": 8, "technician": 8,
                       "labourer": 8, "merchant": 7, "teacher": 5, "engineer": 3, "medical doctor": 2, "journalist": 1}),
             Weighted({Outcome(None, "unknown"): 970, Outcome("confirmed-alive", "alive", (35, 57)): 15,
                       Outcome("death", "deceased", (1, 50)): 15}),
             "synthetic-wartime-families-union", 1952, "register of wartime abductees", "prisoner-of-war",
             part_of_war=True,
             peak=(date(1950, 6, 28), date(1950, 9, 28))),  # the occupation of Seoul
    # 3,835 post-war abductees (MOU): 3,310 repatriated, 9 escaped, 516 still detained
    Category("post-war-abductee", 3835, "abduction", (date(1953, 7, 28), date(1999, 12, 31)),
             {10: 8, 20: 35, 30: 30, 40: 19, 50: 8},
             Weighted({"fisherman": 3729, "airline passenger": 45, "airline crew member": 5, "soldier": 20,
                       "police officer": 10, "student": 6, "business person": 20}),
             Weighted({Outcome("repatriation", "returned", (0.05, 1.5)): 3310,
                       Outcome("escape-and-return", "returned", (10, 45)): 9, Outcome(None, "detained"): 516}),
             "synthetic-post-war-families-union", 1960, "list of post-war abductees", "detainee",
             peak=(date(1960, 1, 1), date(1979, 12, 31))),
    # 80 POWs returned on their own (MND): the few POWs known one by one
    Category("prisoner-of-war", 80, "capture", WAR, {10: 30, 20: 60, 30: 10},
             Weighted({"soldier": 1}),
             Weighted({Outcome(None, "unknown"): 70, POW_ESCAPE: 20,
                       Outcome("death", "deceased", (1, 60)): 10}),
             "synthetic-pow-families-association", 1994, "register of prisoners of war", "wartime-abductee",
             part_of_war=True, first_outcome=POW_ESCAPE),
    # at least 7 detainees since 2013 (MOU)
    Category("detainee", 7, "arbitrary-detention", (date(2013, 1, 1), date(2016, 12, 31)),
             {30: 2, 40: 3, 50: 3}, Weighted({"missionary": 3, "": 3}),
             Weighted({Outcome(None, "detained"): 1}),
             "synthetic-documentation-centre", 2014, "list of detainees", "post-war-abductee"),
)

class SynthError(FootprintsError):
    """Synthetic records cannot be written where asked."""


@dataclass(frozen=True)
class Name:
    romanized: str
    variant: str
    hangul: str


# The first victim's name, whatever the seed: the library query that looks a person up by name is asked with it on
# synthetic records (synth_reference.LIBRARY_STAND_INS). From the syllable tables, like every synthetic name.
EXAMPLE_NAME = Name("Hong Yeong-su", "Houng Young-soo", "홍영수")


@dataclass
class Documents:
    """A category's synthetic documents in order of issue: their keys and the years they were issued."""

    keys: list[str]
    years: list[int]

    def sources(self, year: int, rng: random.Random) -> tuple[int, int | None]:
        """A document issued no earlier than `year` (so it can state what happened), and now and then a
        second one: their positions."""
        first_eligible = bisect_left(self.years, year)
        first = rng.randrange(first_eligible, len(self.keys))
        if len(self.keys) - first_eligible < 2 or rng.random() >= SECOND_LISTING_SHARE:
            return first, None
        second = rng.randrange(first_eligible, len(self.keys) - 1)
        return first, second + (second >= first)  # any eligible one but the first


@dataclass
class Victim:
    key: str
    name: Name
    category: Category
    age: int
    taken: date
    note: str = ""
    restricted: bool = False
    occupation: str = ""  # drawn with the act
    outcome: Outcome | None = None  # drawn with the status; with `later`, what the outcome figures count
    later: date | None = None


@dataclass
class Tables:
    """Rows of each record table, by table name."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, table: str, **cells: str) -> None:
        self.rows.setdefault(table, []).append(cells)
