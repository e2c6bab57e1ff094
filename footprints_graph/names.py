"""Matching Korean personal names across spellings, romanizations and scripts.

The same person appears as "Kim Jung-wook", "KIM JUNG WOOK", "Jung-wook Kim", "Kim Jong-wook" (the
McCune–Reischauer habit of writing ŏ as o), "Kim Jeong-uk" (Revised Romanization) and "김정욱". A name is
compared in three steps:

1. **Parse** it into a family name and a given name. Hangul is split by syllables (the family name is
   the first syllable, or the first two for the compound family names in `COMPOUND_FAMILY_NAMES`) and
   romanized to Revised Romanization by `romanize` — an algorithm over the Unicode syllable
   decomposition, not a dictionary. A romanized name is split into tokens; which token is the family
   name is decided by clues (a comma, an all-capital token, a hyphenated given name, a known family name)
   and, when the clues are silent, both orders are tried.
2. **Key** each part: the family name through `FAMILY_NAMES` (conventional spellings such as Lee / Yi /
   Rhee / I), the given name through `SPELLING_RULES`, ordered rewrites that fold the differences between
   Revised Romanization, McCune–Reischauer and common popular spellings (jung/jeong/jong/chung/chŏng,
   kook/kuk/guk, kie/ki/gi, hee/hui/hwi, woo/u, …) into one key.
3. **Score** the pair of parses (0..100):

   ====  ==================================================================================
   100   same letters once case, hyphens, spaces, name order and script are normalised
   95    same keys: a romanization or spelling variant, or a Hangul name and its romanization
   <90   neither: 85 × a weighted similarity of the keys (family 0.4, given name 0.6), for ranking only
   ====  ==================================================================================

**Decision rule** (`match`): two names are the same name when the score is at least `MATCH_THRESHOLD`
(90), that is when their keys are equal. Spellings that differ in any letter the tables do not explain
(Jung-wook vs Jung-won, Won-ho vs Won-hee) never match, however close: a wrong link between two victims
is worse than a missed one, which an archivist can still confirm by hand.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

MATCH_THRESHOLD = 90
EXACT, VARIANT, FUZZY_CEILING = 100.0, 95.0, 85.0
FAMILY_WEIGHT, GIVEN_WEIGHT = 0.4, 0.6

# ---------------------------------------------------------------- Hangul → Revised Romanization

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
MEDIALS_TIMES_FINALS, FINALS_COUNT = 588, 28  # 21 medial vowels × 28 finals; syllables are laid out in that order
INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
MEDIALS = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
           "yu", "eu", "ui", "i")
# Revised Romanization writes a final consonant by how it sounds at the end of a syllable.
FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
          "ng", "t", "t", "k", "t", "p", "t")
COMPOUND_FAMILY_NAMES = frozenset({"남궁", "선우", "제갈", "황보", "독고", "사공", "서문", "동방", "어금", "망절"})
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def romanize_syllable(syllable: str) -> str:
    """One precomposed Hangul syllable in Revised Romanization, e.g. '욱' → 'uk'."""
    index = ord(syllable) - HANGUL_FIRST
    initial, rest = divmod(index, MEDIALS_TIMES_FINALS)
    medial, final = divmod(rest, FINALS_COUNT)
    return INITIALS[initial] + MEDIALS[medial] + FINALS[final]


def romanize(text: str) -> str:
    """Hangul in Revised Romanization, syllable by syllable (the rule for given names: no sound changes
    across syllables); other characters are kept. '김정욱' → 'gimjeonguk'."""
    return "".join(romanize_syllable(c) if HANGUL.match(c) else c for c in unicodedata.normalize("NFC", text))


# ---------------------------------------------------------------- spelling keys

# Conventional spellings of family names that no general rule explains; each group shares its first
# spelling as key. Names not listed are keyed by SPELLING_RULES like given names.
FAMILY_NAMES = (
    ("kim", "gim", "kimm"),
    ("lee", "yi", "i", "rhee", "ri", "li", "rhie", "ree", "lie", "yee"),
    ("park", "pak", "bak", "pack", "bahk", "parc"),
    ("choi", "choe", "chwe", "choy", "choii"),
    ("jung", "jeong", "chung", "chong", "joung", "jong", "cheong"),
    ("kang", "gang", "kahng"),
    ("cho", "jo", "joe", "chough"),
    ("yoon", "yun", "youn"),
    ("jang", "chang"),
    ("lim", "im", "rim", "yim"),
    ("oh", "o"),
    ("seo", "suh", "so", "sŏ", "sur"),
    ("shin", "sin", "shinn"),
    ("kwon", "gwon", "kwun"),
    ("ahn", "an"),
    ("ryu", "yu", "yoo", "ryoo", "rew", "you"),
    ("jeon", "chun", "jun", "chon", "chŏn", "cheon"),
    ("ko", "go", "koh", "goh"),
    ("moon", "mun", "mune"),
    ("son", "sohn"),
    ("bae", "pae", "bai"),
    ("baek", "paek", "paik", "baik", "back"),
    ("heo", "hur", "huh", "ho", "hŏ"),
    ("noh", "roh", "no", "ro", "nho"),
    ("ham", "hahm"),
    ("woo", "u", "wu"),
    ("hwang", "whang"),
    ("gwak", "kwak"),
    ("seong", "sung", "sŏng"),
    ("cha", "ch'a"),
    ("ju", "joo", "chu", "ch'u"),
    ("min", "minn"),
    ("namgung", "namkung"),      # the compound family names of COMPOUND_FAMILY_NAMES
    ("seonu", "sunwoo", "sonu"),
    ("jegal", "chegal"),
    ("hwangbo", "hwangpo"),
    ("dokgo", "tokko"),
    ("sagong", "sakong"),
    ("seomun", "somun"),
)

# Ordered rewrites from any common romanization of a given name to one key. Why each rule:
SPELLING_RULES = tuple((re.compile(pattern), replacement) for pattern, replacement in (
    (r"(?<=[aeiouwy])h(?![aeiouwy])", ""),  # a silent h after a vowel: Ahn, Hahm, Oh, Kahng
    (r"sh", "s"),                           # Shin / Sin
    (r"ch", "j"),                           # MR ch (voiceless) / RR j: Chang / Jang, Chul-gi / Jul-gi
    (r"k", "g"),                            # MR k / RR g: Kwang / Gwang, Kuk / Guk, Ki / Gi
    (r"t", "d"),                            # MR t / RR d
    (r"p", "b"),                            # MR p / RR b: Pak / Bak
    (r"l", "r"),                            # ㄹ is r before a vowel, l at the end; writers mix them
    (r"oi", "oe"),                          # Choi / Choe
    (r"woo", "u"),                          # 우 and 욱: Woo / U, Wook / Uk (before oo → u)
    (r"eui|ee|ui|wi", "i"),                 # 희 Hee / Hui, 휘 Hwi, 의 Eui / Ui
    (r"eo|eu|oo|ou|o", "u"),                # ㅓ ㅗ ㅜ ㅡ: Jeong / Jong / Jung, Cheol / Chul / Chol, Kook / Kuk
    (r"ie", "i"),                           # Kie / Ki
    (r"(.)\1+", r"\1"),                     # doubled letters: Kook-kie / Kuk-gi, Hahnn
))


@lru_cache(maxsize=1 << 16)
def spelling_key(text: str) -> str:
    """The key of a romanized name part: two spellings of the same Korean sounds get the same key."""
    key = _letters(text)
    for pattern, replacement in SPELLING_RULES:
        key = pattern.sub(replacement, key)
    return key


@cache
def _family_table() -> dict[str, str]:
    return {_letters(variant): spelling_key(group[0]) for group in FAMILY_NAMES for variant in group}


def family_key(text: str) -> str:
    """The key of a family name: its conventional group if it has one, else its spelling key."""
    return _family_table().get(_letters(text), spelling_key(text))


def is_known_family_name(text: str) -> bool:
    return _letters(text) in _family_table()


def _letters(text: str) -> str:
    """Lowercase ASCII letters only: MR breves folded (ŏ → o), hyphens, spaces and apostrophes dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", folded)


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ParsedName:
    """One reading of a name: the family name and the parts of the given name (syllables when the writer
    separated them with hyphens or spaces, or wrote Hangul), as plain lowercase letters, with their keys."""

    family: str
    given: tuple[str, ...]
    hangul: bool = False
    letters: tuple[str, str] = field(init=False)  # (family, given name run together)
    keys: tuple[str, str] = field(init=False)  # (family key, given-name key)
    syllable_keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:  # computed once: a name is compared with thousands of others
        object.__setattr__(self, "letters", (self.family, "".join(self.given)))
        object.__setattr__(self, "keys", (family_key(self.family), spelling_key(self.letters[1])))
        object.__setattr__(self, "syllable_keys", tuple(spelling_key(p) for p in self.given))

    def given_keys_agree(self, other: "ParsedName") -> bool:
        """Syllable by syllable when both sides mark syllables, so that Jung-wook (정욱) and Jun-guk (준국)
        stay apart; as one string when either side runs them together (Wonmo)."""
        if len(self.given) > 1 and len(other.given) > 1:
            return self.syllable_keys == other.syllable_keys
        return self.keys[1] == other.keys[1]


@lru_cache(maxsize=1 << 17)
def parse(name: str) -> tuple[ParsedName, ...]:
    """The plausible readings of `name` (one, or two when the family name could be first or last)."""
    text = unicodedata.normalize("NFKC", name).strip()
    if HANGUL.search(text):
        return (_parse_hangul(text),)
    return _parse_romanized(text)


def _parse_hangul(text: str) -> ParsedName:
    syllables = HANGUL.findall(text)
    split = 2 if "".join(syllables[:2]) in COMPOUND_FAMILY_NAMES else 1
    family = "".join(romanize_syllable(s) for s in syllables[:split])
    return ParsedName(family, tuple(romanize_syllable(s) for s in syllables[split:]), hangul=True)


def _given(tokens: list[str]) -> tuple[str, ...]:
    return tuple(part for token in tokens for part in map(_letters, token.split("-")) if part)


def _parse_romanized(text: str) -> tuple[ParsedName, ...]:
    if "," in text:  # "Kim, Jung-wook": the catalogue form, family name first
        family, _, given = text.partition(",")
        return (ParsedName(_letters(family), _given(given.split())),)
    tokens = text.split()
    if len(tokens) < 2:
        return (ParsedName(_letters(text), ()),)
    first = ParsedName(_letters(tokens[0]), _given(tokens[1:]))
    last = ParsedName(_letters(tokens[-1]), _given(tokens[:-1]))
    return _by_clues(tokens, first, last)


def _family_clues(token: str, others: list[str]) -> int:
    """How strongly a token looks like the family name: written in capitals among mixed-case tokens,
    a known family name; a hyphenated token is a given name."""
    capitals = token.isupper() and len(token) > 1 and not all(t.isupper() for t in others)
    return -1 if "-" in token else 2 * capitals + is_known_family_name(token)


def _by_clues(tokens: list[str], first: ParsedName, last: ParsedName) -> tuple[ParsedName, ...]:
    first_clues = _family_clues(tokens[0], tokens[1:])
    last_clues = _family_clues(tokens[-1], tokens[:-1])
    if first_clues > last_clues:
        return (first,)
    if last_clues > first_clues:
        return (last,)
    return (first, last)


# ---------------------------------------------------------------- scoring


def score(a: str, b: str) -> float:
    """How alike two personal names are, 0..100 (see the module docstring for the scale)."""
    return max(_pair_score(x, y) for x in parse(a) for y in parse(b))


def match(a: str, b: str) -> bool:
    """The decision rule: the same name, allowing for spelling, romanization, order and script."""
    return score(a, b) >= MATCH_THRESHOLD


def starts_like(prefix: str, name: str) -> bool:
    """Whether `name` begins like `prefix` by the same rules, for completion as someone types: the same family
    name and a given name whose key begins with the prefix's ('Kim Jeong' and '김정' begin 'Kim Jung-wook', 'An Ho'
    begins 'Ahn Ho-cheol'). A prefix of one word is a family name; its last syllable may be unfinished."""
    return any(p.keys[0] and p.keys[0] == n.keys[0] and n.keys[1].startswith(p.keys[1])
               for p in parse(prefix) for n in parse(name))


def _pair_score(a: ParsedName, b: ParsedName) -> float:
    if a.letters == b.letters and a.hangul == b.hangul:
        return EXACT
    if a.keys[0] == b.keys[0] and a.given_keys_agree(b):
        return VARIANT
    family = _similarity(a.keys[0], b.keys[0])
    given = _similarity(a.keys[1], b.keys[1])
    return round(FUZZY_CEILING * (FAMILY_WEIGHT * family + GIVEN_WEIGHT * given), 1)


@lru_cache(maxsize=1 << 16)
def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()
