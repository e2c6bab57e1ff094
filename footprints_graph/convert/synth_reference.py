"""The records every synthetic graph holds whatever its size, as the real records hold them: the organisations,
the notice document, the war, the instruments the acts breach, the UN-style documents that report them, the group
acts, a perpetrator's claim and a finding. A few of each, like the real tables (7 instruments, 2 UN reports, 1
claim, 1 finding): they do not grow with the victims. All invented: the instruments, bodies and symbols are stand-ins
named "(synthetic)", the UN-style symbols begin SYN/, which no UN document symbol does."""

from footprints_graph.convert.synth_model import (
    CATEGORIES,
    EXAMPLE_NAME,
    EXAMPLE_SITE,
    NOTICE,
    NOTICE_KEY,
    NOTICE_KO,
    WAR,
    Documents,
    SynthError,
    Tables,
)

# Wikidata's own sandbox items, there for tests: a synthetic body is linked to them, never to a real body's item.
WIKIDATA_SANDBOX = ("http://www.wikidata.org/entity/Q4115189", "http://www.wikidata.org/entity/Q13406268")

ORGANISATIONS = (
    # (key, label, Korean label, type, other cells)
    ("synthetic-wartime-families-union", "Wartime Abductees' Families Union (synthetic)", "가상 전시납북자가족회",
     "families-union", {"alt_labels": "Synthetic WAFU"}),
    ("synthetic-post-war-families-union", "Post-war Abductees' Families Union (synthetic)", "가상 전후납북자가족회",
     "families-union", {}),
    ("synthetic-pow-families-association", "POW Families Association (synthetic)", "가상 국군포로가족회", "families-union",
     {}),
    ("synthetic-documentation-centre", "Documentation Centre (synthetic)", "가상 기록센터", "ngo", {}),
    ("synthetic-ministry", "Ministry (synthetic)", "가상 정부부처", "ministry", {}),
    ("synthetic-perpetrator-state", "Perpetrator state (synthetic stand-in)", "가상 가해 국가", "state", {}),
    ("synthetic-perpetrator-army", "Perpetrator's army (synthetic stand-in)", "가상 가해 군대", "armed-force",
     {"part_of": "synthetic-perpetrator-state"}),
    ("synthetic-nations", "Organisation of Nations (synthetic)", "가상 국제기구", "intergovernmental-organisation",
     {"alt_labels": "Synthetic ON", "same_as": WIKIDATA_SANDBOX[0]}),
    ("synthetic-rights-council", "Rights Council (synthetic)", "가상 인권이사회", "un-body",
     {"part_of": "synthetic-nations", "same_as": WIKIDATA_SANDBOX[1]}),
)

UN_REPORT = "synthetic-inquiry-report"
UN_DOCUMENTS = (
    # (key, label, symbol, issued): the inquiry's report and its detailed findings, as A/HRC/25/63 and CRP.1 are
    (UN_REPORT, "report of the commission of inquiry", "SYN/HRC/1", "2014-02-07"),
    ("synthetic-inquiry-findings", "detailed findings of the commission of inquiry", "SYN/HRC/1/CRP.1", "2014-02-07"),
)

INSTRUMENTS = (
    # (key, label, Korean label, type, adopted, UN-style symbol)
    ("synthetic-armistice", "Armistice agreement (synthetic)", "가상 정전협정", "armistice", WAR[1].isoformat(), "SYN/S/1"),
    ("synthetic-prisoners-convention", "Convention on prisoners of war (synthetic)", "가상 포로 협약", "convention",
     "1949-08-12", ""),
    ("synthetic-civilians-convention", "Convention on civilians in war (synthetic)", "가상 민간인 보호 협약", "convention",
     "1949-08-12", ""),
    ("synthetic-disappearance-convention", "Convention against enforced disappearance (synthetic)", "가상 강제실종 협약",
     "convention", "2006-12-20", "SYN/RES/1"),
    ("synthetic-abductee-act", "Abductee act (synthetic)", "가상 납북피해자법", "national-law", "2010-03-26", ""),
)

GROUP_ACTS = (
    # (key, label, type, victim group, dates, instruments breached, statement), as the real group acts in events.csv
    ("synthetic-non-repatriation-of-pows", "Non-repatriation of prisoners of war (synthetic)", "non-repatriation",
     "prisoner-of-war", {"date": "1953"}, "synthetic-armistice|synthetic-prisoners-convention",
     "The perpetrator state kept the prisoners of war after the war, against the armistice and the convention."),
    ("synthetic-non-return-of-wartime-abductees", "Refusal to return wartime abductees (synthetic)", "non-repatriation",
     "wartime-abductee", {"date": "1953"}, "synthetic-armistice|synthetic-civilians-convention",
     "The perpetrator state kept the civilians it took during the war, against the armistice and the convention."),
    ("synthetic-post-war-enforced-disappearance", "Enforced disappearance of post-war abductees (synthetic)",
     "enforced-disappearance", "post-war-abductee", {"start_date": "1953-07-28"}, "",
     "The perpetrator state holds post-war abductees and says nothing of their fate."),
    ("synthetic-detentions", "Arbitrary detention since 2013 (synthetic)", "arbitrary-detention", "detainee",
     {"start_date": "2013"}, "synthetic-disappearance-convention",
     "The perpetrator state detains citizens of the other side and denies it holds them."),
)

CLAIM_NEWSPAPER = "synthetic-claim-newspaper"
CLAIMED_PRISONERS = 54321  # invented, as large against the known prisoners as the real claim is


def reference_tables(documents: dict[str, Documents]) -> Tables:
    """The fixed records and each category's register of documents (`documents`)."""
    tables = Tables()
    tables.add("documents", key=NOTICE_KEY, label=NOTICE, title_ko=NOTICE_KO, document_type="web-page",
               url=f"{EXAMPLE_SITE}{NOTICE_KEY}", source=NOTICE_KEY,
               note="Written by footprints-graph synth for scale tests; every person, event and document here is invented.")
    _add_organisations(tables)
    _add_registers(tables, documents)
    _add_un_documents(tables)
    _add_instruments(tables)
    tables.add("events", key="synthetic-korean-war", label="War (synthetic stand-in for the Korean War)",
               event_type="armed-conflict", start_date=WAR[0].isoformat(), end_date=WAR[1].isoformat(),
               date_basis="stated", source=NOTICE_KEY)
    _add_group_acts(tables)
    _add_claim(tables)
    tables.add("findings", key="synthetic-wartime-abductions-targeting", about="wartime-abductee",
               statement="The inquiry found that the wartime abductions were planned and targeted skilled civilians "
                         "(synthetic finding).", source=UN_REPORT)
    return tables


def _add_organisations(tables: Tables) -> None:
    for key, label, label_ko, organisation_type, cells in ORGANISATIONS:
        source = UN_REPORT if organisation_type in ("un-body", "intergovernmental-organisation") else NOTICE_KEY
        tables.add("organisations", key=key, label=label, label_ko=label_ko, organisation_type=organisation_type,
                   source=source, **cells)


def _add_registers(tables: Tables, documents: dict[str, Documents]) -> None:
    for category in CATEGORIES:
        register = documents[category.notation]
        for number, (key, year) in enumerate(zip(register.keys, register.years, strict=True), start=1):
            tables.add("documents", key=key, label=f"{NOTICE}: {category.register} no. {number}",
                       title_ko=NOTICE_KO, document_type="statistics-page", publisher="synthetic-ministry",
                       issued=str(year), url=f"{EXAMPLE_SITE}{key}", source=key)


def _add_un_documents(tables: Tables) -> None:
    for key, label, symbol, issued in UN_DOCUMENTS:
        tables.add("documents", key=key, label=f"{NOTICE}: {label}, {symbol}", title_ko=NOTICE_KO,
                   document_type="un-report", publisher="synthetic-rights-council", issued=issued, un_symbol=symbol,
                   url=f"{EXAMPLE_SITE}{key}", source=key)


def _add_instruments(tables: Tables) -> None:
    for key, label, label_ko, instrument_type, adopted, symbol in INSTRUMENTS:
        tables.add("instruments", key=key, label=label, label_ko=label_ko, instrument_type=instrument_type,
                   adopted=adopted, un_symbol=symbol, url=f"{EXAMPLE_SITE}{key}", source=NOTICE_KEY)


def _add_group_acts(tables: Tables) -> None:
    for key, label, event_type, group, dates, breaches, statement in GROUP_ACTS:
        part_of = "synthetic-korean-war" if group in ("prisoner-of-war", "wartime-abductee") else ""
        tables.add("events", key=key, label=label, event_type=event_type, victim_group=group, **dates,
                   date_basis="stated", perpetrator="synthetic-perpetrator-state", breaches=breaches, part_of=part_of,
                   source=NOTICE_KEY, cited_source=UN_REPORT, statement=statement)


def _add_claim(tables: Tables) -> None:
    """The perpetrator's army's claim of prisoners taken, printed in a newspaper: never counted as a figure."""
    words = f"{CLAIMED_PRISONERS:,} prisoners were captured in one year"
    tables.add("media", key=CLAIM_NEWSPAPER, title=f"{NOTICE}: a newspaper headline, “{words}”",
               media_type="newspaper", credit="Newspaper of the perpetrator's army (synthetic)",
               victim_category="prisoner-of-war", source=NOTICE_KEY)
    tables.add("claims", key="synthetic-prisoners-captured", label=f"The perpetrator's army's claim: {words}",
               claimant="synthetic-perpetrator-army", published_in=CLAIM_NEWSPAPER, victim_category="prisoner-of-war",
               claimed_count=str(CLAIMED_PRISONERS), claim_status="unverified-perpetrator-claim", statement=words,
               source=NOTICE_KEY)


# The library queries whose example names a real person, body or document, with the synthetic one asked in its
# place on synthetic records: the example is the researcher's to edit, and the real one is in no synthetic graph.
LIBRARY_STAND_INS = {
    "organisations-credited-for-a-person": ('"Kim Jung-wook"', f'"{EXAMPLE_NAME.romanized}"'),
    "persons-credited-to-organisation": ('"KWAFU"', '"Synthetic WAFU"'),
    "sourced-to-a-hrc-25-63": ('"A/HRC/25/63"', f'"{UN_DOCUMENTS[0][2]}"'),
}


def synthetic_text(name: str, text: str) -> str:
    """The text of library query `name` as asked on synthetic records: its real example replaced by the stand-in."""
    if name not in LIBRARY_STAND_INS:
        return text
    real, stand_in = LIBRARY_STAND_INS[name]
    if real not in text:
        raise SynthError(f"library query {name} no longer names {real}: give its new example a synthetic stand-in "
                         "in LIBRARY_STAND_INS (footprints_graph/convert/synth_reference.py)")
    return text.replace(real, stand_in)
