"""Korean name matching (issue 8): spelling, romanization (Revised Romanization, McCune–Reischauer), name
order, case and Hangul. The tables below are the test; a change to the rules that breaks one row fails."""

import pytest

from footprints_graph import names

# Pairs that must match: the same name written another way (REFERENCE.md "Korean names", data/people.csv).
SAME_NAME = [
    ("Kim Jung-wook", "Kim Jong-wook"),        # jung / jong (MR ŏ written o)
    ("Kim Jung-wook", "KIM JUNG WOOK"),        # case, spacing
    ("Kim Jung-wook", "Jung-wook Kim"),        # Western order
    ("Kim Jung-wook", "Jung-wook KIM"),        # Western order, family name in capitals
    ("Kim Jung-wook", "Kim, Jung-wook"),       # catalogue order
    ("Kim Jung-wook", "Kim Jungwook"),         # syllables run together
    ("Kim Jung-wook", "김정욱"),                # Hangul
    ("Kim Jung-wook", "Kim Jeong-uk"),         # Revised Romanization
    ("Kim Jung-wook", "Gim Jeong-uk"),         # strict RR of the family name
    ("Kim Jong-wook", "김정욱"),
    ("Kim Kook-kie", "Kim Kuk-gi"),            # kook / kuk, kie / gi
    ("Kim Kook-kie", "Kim Kook-gi"),
    ("Kim Kuk-gi", "Kim Kook-gi"),
    ("Kim Kook-kie", "김국기"),
    ("Choi Chun-gil", "Choe Chun-gil"),        # choi / choe
    ("Choi Chun-gil", "Ch'oe Ch'un-gil"),      # McCune–Reischauer with apostrophes
    ("Choi Chun-gil", "최춘길"),
    ("Ahn Ho-Cheol", "An Ho-chol"),            # ahn / an, cheol / chol
    ("Ahn Ho-Cheol", "An Ho-ch'ŏl"),           # McCune–Reischauer with breve
    ("Ahn Ho-Cheol", "안호철"),
    ("Ham Jin-woo", "Hahm Jin-u"),             # ham / hahm, woo / u
    ("Ko Hyun-chul", "Go Hyeon-cheol"),        # ko / go, hyun / hyeon, chul / cheol
    ("Ko Hyun-chul", "고현철"),
    ("Kim Won-ho", "Kim Weon-ho"),             # won / weon
    ("Kim Hui-Jin", "Kim Hee-jin"),            # hui / hee
    ("Kim Gwang-Won", "Kim Kwang-won"),        # gwang / kwang
    ("Jang Guiyong", "Chang Kwi-yong"),        # jang / chang, gui / kwi
    ("Kang Seon-Hyeong", "Kang Sun-hyung"),    # seon / sun, hyeong / hyung
    ("Lee Mingyo", "Yi Min-gyo"),              # lee / yi
    ("Lee Mingyo", "Rhee Min-kyo"),
    ("Lee Mingyo", "이민교"),
    ("Park Jung-wook", "Pak Chong-uk"),        # park / pak, jung / chong
    ("Choi Wonmo", "최원모"),
]

# Different names that look alike: they must not match, and must score below every true variant.
DIFFERENT_NAMES = [
    ("Kim Jung-wook", "Kim Jung-won"),         # last syllable 욱 vs 원
    ("Kim Jung-wook", "Kim Jun-guk"),          # same letters, other syllables (정욱 vs 준국)
    ("Kim Jung-wook", "Park Jung-wook"),       # other family
    ("Kim Jung-wook", "Kim Kook-kie"),
    ("Kim Won-ho", "Kim Won-hee"),             # 호 vs 희
    ("Kim Won-ho", "Kim Yong-ho"),
    ("Ko Hyun-chul", "Ko Hyun-chil"),
    ("Ko Hyun-chul", "Ko Hyun-jun"),
    ("Choi Chun-gil", "Choi Chun-il"),
    ("Ham Jin-woo", "Ham Jin-won"),
    ("Kim Kook-kie", "Kim Kook-hee"),
    ("Ahn Ho-Cheol", "Ahn Ho-seong"),
    ("Kim Jung-wook", "김정원"),
    ("Kim Jung-wook", "박정욱"),
]


@pytest.mark.parametrize("a,b", SAME_NAME)
def test_variants_of_one_name_match(a, b):
    assert names.match(a, b), f"{a} ~ {b}: score {names.score(a, b)}"
    assert names.match(b, a)


@pytest.mark.parametrize("a,b", DIFFERENT_NAMES)
def test_near_misses_do_not_match(a, b):
    assert not names.match(a, b), f"{a} !~ {b}: score {names.score(a, b)}"
    assert names.score(a, b) < names.MATCH_THRESHOLD


def test_precision_and_recall_on_the_tables_are_perfect():
    predicted = [names.match(a, b) for a, b in SAME_NAME + DIFFERENT_NAMES]
    truth = [True] * len(SAME_NAME) + [False] * len(DIFFERENT_NAMES)
    true_positives = sum(p and t for p, t in zip(predicted, truth, strict=True))
    assert true_positives / max(1, sum(predicted)) == 1.0  # precision
    assert true_positives / len(SAME_NAME) == 1.0  # recall


def test_every_true_variant_outscores_every_near_miss():
    lowest_variant = min(names.score(a, b) for a, b in SAME_NAME)
    highest_miss = max(names.score(a, b) for a, b in DIFFERENT_NAMES)
    assert lowest_variant > highest_miss


def test_ranking_for_a_query():
    """What the reconciliation service returns first: the same spelling, then variants, then near misses."""
    query = "Kim Jung-wook"
    candidates = ["Park Jung-wook", "Kim Jung-won", "Kim Jong-wook", "Kim Jun-guk", "KIM JUNG-WOOK", "김정욱"]
    ranked = sorted(candidates, key=lambda c: -names.score(query, c))
    assert ranked[0] == "KIM JUNG-WOOK"
    assert set(ranked[1:3]) == {"Kim Jong-wook", "김정욱"}
    assert ranked[3:] == ["Kim Jun-guk", "Kim Jung-won", "Park Jung-wook"]


def test_score_scale():
    assert names.score("Kim Jung-wook", "kim jung wook") == names.EXACT
    assert names.score("Kim Jung-wook", "Kim Jong-wook") == names.VARIANT
    assert names.score("Kim Jung-wook", "김정욱") == names.VARIANT  # another script is never "exact"
    assert names.score("김정욱", "김정욱") == names.EXACT
    assert 0 <= names.score("Kim Jung-wook", "Ham Jin-woo") < names.MATCH_THRESHOLD


@pytest.mark.parametrize("hangul,romanized", [
    ("김", "gim"), ("정", "jeong"), ("욱", "uk"), ("국", "guk"), ("기", "gi"), ("최", "choe"), ("철", "cheol"),
    ("희", "hui"), ("원", "won"), ("현", "hyeon"), ("값", "gap"), ("닭", "dak"), ("꽃", "kkot"), ("빨", "ppal"),
    ("의", "ui"), ("왜", "wae"), ("뷁", "bwek"),
])
def test_romanize_syllable_from_the_unicode_decomposition(hangul, romanized):
    assert names.romanize_syllable(hangul) == romanized


def test_romanize_keeps_other_characters():
    assert names.romanize("김정욱 (金正旭)") == "gimjeonguk (金正旭)"


def test_compound_family_names_are_kept_whole():
    (parsed,) = names.parse("남궁민")
    assert parsed.family == "namgung" and parsed.given == ("min",)
    assert names.match("남궁민", "Namgung Min")
    assert names.match("남궁민", "Min Namkung")


def test_family_name_clues_choose_the_reading():
    assert [p.family for p in names.parse("Jung-wook Kim")] == ["kim"]        # hyphenated given name
    assert [p.family for p in names.parse("JUNG Wook")] == ["jung"]           # capitals among mixed case
    assert [p.family for p in names.parse("Kim Jung")] == ["kim", "jung"]     # both known family names: both


def test_no_spelling_is_in_two_family_name_groups():
    spellings = [names._letters(v) for group in names.FAMILY_NAMES for v in set(map(names._letters, group))]
    assert len(spellings) == len(set(spellings))


def test_every_family_name_group_shares_one_key():
    for group in names.FAMILY_NAMES:
        assert len({names.family_key(v) for v in group}) == 1, group
