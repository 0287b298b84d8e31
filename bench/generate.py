"""Generate a full, valid data/raw/ for N countries (benchmark input).

Countries come from the register (ISO 3166-1 and Kosovo, with ISO's names,
their iso-codes translations and the spellings of country_names.csv), the
Western Balkans six first: they keep their real rows, so the report's text
still finds its facts, and every other country gets generated rows under any
of its register spellings. Past the register's size, made-up countries with
user-assigned codes are added to countries.csv. Values
are random but valid, drawn from a fixed seed, so the same N always gives
the same bytes.

    python bench/generate.py --countries 200 --raw data/raw --out /tmp/x/data/raw
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
from pathlib import Path

from tomas_pipeline.sources.countries import Register, iso_translations
from tomas_pipeline.sources.dates import parse_date

# Tables copied unchanged: the instruments, offences and terms are fixed lists.
REFERENCE = ("instruments.csv", "offences.csv", "terminology.csv", "predecessors.csv")
FIRST = ("RS", "AL", "MK", "ME", "BA", "XK")
INSTRUMENTS = ("uncrc", "opsc", "palermo", "lanzarote", "budapest", "warsaw")
OFFENCES = ("producing", "offering", "distributing", "procuring", "possessing", "accessing", "grooming",
            "trafficking_children")
FEATURES = ("specific_csam_legislation", "csam_definition", "technology_facilitated", "simple_possession",
            "isp_reporting_duty", "dedicated_child_protection_law")
LAW_KINDS = ("criminal_code", "child_protection", "electronic_communications", "data_protection", "trafficking")
FIELDS = ("cybersecurity", "information_society", "child_online", "digital_agenda")
INSTITUTION_KINDS = ("police_unit", "prosecution_unit", "hotline")
INDICATORS = ("ncmec_cybertipline_reports", "ncmec_sextortion_reports", "iwf_reported_urls")
YEARS = range(2015, 2024)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WORDS = ("one", "two", "three", "four", "five", "six", "eight", "ten")


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _date(rng: random.Random, year: int, month: int, day: int) -> str:
    """The same day in one of the forms sources use (the normaliser must read them all)."""
    form = rng.randrange(4)
    if form == 0:
        return f"{day:02d}/{month:02d}/{year}"
    if form == 1:
        return f"{day}.{month}.{year}"
    if form == 2:
        return f"{day} {MONTHS[month - 1]} {year}"
    return f"{year}-{month:02d}-{day:02d}"


def _made_up_countries(register: list[dict], count: int) -> list[dict]:
    """Extra register rows with codes ISO leaves to users (AA, QM-QZ, XA-XZ, ZZ; numeric 900-999),
    so that they can never clash with a real country."""
    used2 = {r["iso2"] for r in register}
    used3 = {r["iso3"] for r in register}
    used_num = {r["numeric"] for r in register}
    codes = ["AA"] + [f"Q{c}" for c in "MNOPQRSTUVWXYZ"] + [f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"] + ["ZZ"]
    numbers = (f"{n:03d}" for n in range(999, 899, -1))
    rows = []
    for code in codes:
        if len(rows) == count:
            break
        iso3 = code + "Q"
        if code in used2 or iso3 in used3:
            continue
        numeric = next(n for n in numbers if n not in used_num)
        rows.append({"iso2": code, "iso3": iso3, "numeric": numeric, "name": f"Benchland {code}",
                     "iso_name": "", "official_name": f"Republic of Benchland {code}", "user_assigned": "yes",
                     "source_id": "bench_register", "note": "made up by bench/generate.py"})
    if len(rows) < count:
        raise ValueError(f"at most {len(register) + len(rows)} countries: no more user-assigned codes")
    return rows


def generate(raw: Path | str, out: Path | str, countries: int, seed: int = 0) -> list[str]:
    """Write a full raw folder to `out` for `countries` countries; return their ISO codes."""
    raw, out = Path(raw), Path(out)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE + ("country_names.csv",):
        shutil.copyfile(raw / name, out / name)

    register = Register.load(raw).countries().to_dict("records")
    overrides = _read(raw / "countries.csv")
    made_up = _made_up_countries(register, max(0, countries - len(register)))
    _write(out / "countries.csv", overrides + made_up, list(overrides[0]))
    register += made_up

    others = sorted(r["iso2"] for r in register if r["iso2"] not in FIRST)
    rng.shuffle(others)
    chosen = (list(FIRST) + others)[:countries]
    # Each row names its country as some source might: any register name for it.
    spellings: dict[str, list[str]] = {r["iso2"]: [r["name"]] + [n for n in (r["iso_name"], r["official_name"]) if n]
                                       for r in register}
    for row in _read(raw / "country_names.csv"):
        if row["iso2"]:
            spellings[row["iso2"]].append(row["name"])
    for iso2, name in iso_translations():
        spellings[iso2].append(name)

    sources = _read(raw / "sources.csv")
    source_columns = list(sources[0])
    known = {s["source_id"] for s in sources}
    for sid, kind, title in [("bench_register", "secondary", "Made-up countries for the benchmark")] + [
        (f"bench_{iso.lower()}_{kind}", kind, f"Generated {kind} source on {iso}")
        for iso in chosen for kind in ("primary", "secondary")
    ]:
        if sid not in known:
            sources.append({"source_id": sid, "kind": kind, "author": "TOMAS benchmark generator", "title": title,
                            "type": "official_text" if kind == "primary" else "",
                            "publisher": "", "year": str(rng.choice(YEARS)), "url": "https://example.org/bench",
                            "accessed": "2025-01-01", "csl_type": "dataset", "container": "", "note": ""})
    _write(out / "sources.csv", sources, source_columns)

    opened = {r["instrument_id"]: parse_date(r["opened"]).year for r in _read(raw / "instruments.csv") if r["opened"]}
    shutil.copyfile(raw / "source_kinds.csv", out / "source_kinds.csv")
    # The real search log: its keys are gap keys, which hold for any country.
    shutil.copyfile(raw / "searches.csv", out / "searches.csv")
    tables: dict[str, list[dict]] = {k: [] for k in ("treaty_actions", "provisions", "penalties", "legal_features",
                                                     "laws", "strategies", "institutions", "statistics")}
    # The six keep their real, cited rows (so the report's text still finds its facts);
    # every other country gets generated rows.
    for table, rows in tables.items():
        rows += _read(raw / f"{table}.csv")
    for iso in chosen[len(FIRST):]:
        name = lambda iso=iso: rng.choice(spellings[iso])  # noqa: E731 - a fresh spelling per row
        ids = [f"bench_{iso.lower()}_primary", f"bench_{iso.lower()}_secondary"]
        for instrument in INSTRUMENTS:
            if rng.random() < 0.15:
                continue  # no source records an action: the gap must stay a gap
            # After the instrument opened for signature, or the pipeline rightly refuses the row.
            first = opened.get(instrument, 1989) + 1
            year, month, day = rng.randrange(first, max(first + 1, 2018)), rng.randrange(1, 13), rng.randrange(1, 29)
            for sid in ids[: rng.randrange(1, 3)]:  # sometimes two sources for one fact
                tables["treaty_actions"].append({"country": name(), "instrument": instrument, "action": "signature",
                                                 "date": _date(rng, year, month, day), "source_id": sid, "note": ""})
                if rng.random() < 0.8:
                    tables["treaty_actions"].append({
                        "country": name(), "instrument": instrument, "action": "ratification",
                        "date": _date(rng, year + rng.randrange(1, 6), month, day), "source_id": sid, "note": ""})
        for i, offence in enumerate(OFFENCES):
            low, high = rng.randrange(1, 4), rng.randrange(4, 12)
            text = rng.choice([f"{WORDS[low - 1]} to {WORDS[min(high, 8) - 1]} years", f"up to {high} years",
                               f"{low} to {high} years", "six months to five years", f"at least {low} years"])
            # One paragraph per offence: its provision version, and the offence mapped to it.
            provision = f"bench_{iso.lower()}_cc_{180 + i}_1"
            tables["provisions"].append({"provision": provision, "country": name(), "jurisdiction": "",
                                         "code": "Criminal Code", "article": f"{180 + i}(1)", "form": "basic",
                                         "penalty": text, "term_used": "child sexual abuse material",
                                         "as_of": str(rng.choice(YEARS)), "amending_law": "", "quoted": "yes",
                                         "source_id": ids[0], "note": ""})
            tables["penalties"].append({"offence": offence, "provision": provision, "source_id": ids[0], "note": ""})
        for feature in FEATURES:
            tables["legal_features"].append({"country": name(), "feature": feature,
                                             "value": rng.choice(("yes", "no", "partial")), "article": "",
                                             "as_of": str(rng.choice(YEARS)), "source_id": ids[1], "note": ""})
        for kind in LAW_KINDS:
            tables["laws"].append({"country": name(), "law": f"Law on {kind.replace('_', ' ')}",
                                   "year": str(rng.randrange(1995, 2024)), "kind": kind,
                                   "covers_online": rng.choice(("yes", "no", "")), "source_id": ids[1], "note": ""})
        for field in FIELDS[: rng.randrange(1, len(FIELDS) + 1)]:
            start = rng.randrange(2010, 2022)
            tables["strategies"].append({"country": name(), "title": f"National {field.replace('_', ' ')} strategy",
                                         "start_year": str(start), "end_year": str(start + rng.randrange(0, 6)),
                                         "field": field, "addresses_children_online": rng.choice(("yes", "no")),
                                         "source_id": ids[1], "note": ""})
        for kind in INSTITUTION_KINDS:
            hotline = kind == "hotline"
            tables["institutions"].append({
                "country": name(), "name": f"{iso} {kind.replace('_', ' ')}", "kind": kind, "parent": "",
                "established": str(rng.randrange(2000, 2024)), "inhope_member": rng.choice(("yes", "no")) if hotline
                else "", "inhope_since": "", "url": "", "source_id": ids[1], "note": ""})
        for indicator in INDICATORS:
            for year in YEARS:
                tables["statistics"].append({"country": name(), "indicator": indicator, "year": str(year),
                                             "value": f"{rng.randrange(0, 200000):,}", "unit": "reports",
                                             "out_of": "", "source_id": ids[0], "note": ""})
    for table, rows in tables.items():
        _write(out / f"{table}.csv", rows, _header(raw, table))
    return chosen


def _header(raw: Path, table: str) -> list[str]:
    """The real table's columns, in its order (generated rows fill every one)."""
    with (raw / f"{table}.csv").open(encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, required=True)
    parser.add_argument("--raw", default="data/raw", help="the real raw folder (register and reference tables)")
    parser.add_argument("--out", required=True, help="raw folder to write (never the repository's own)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if Path(args.out).resolve() == Path(args.raw).resolve():
        parser.error("--out must not be the real data/raw")
    codes = generate(args.raw, args.out, args.countries, args.seed)
    print(f"{len(codes)} countries -> {args.out}")


if __name__ == "__main__":
    main()
