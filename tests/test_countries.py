"""The country register: tables, name matching, predecessors, errors, CLI."""

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from tomas_pipeline.countries import (
    AmbiguousCountryError, CountryMatch, Register, UnknownCountryError, cli_country, normalise_key,
    resolve_column,
)
from tomas_pipeline.errors import ParseError, TomasInputError, TomasInputErrors

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"

# The 46 Council of Europe member states and the 27 EU members, by alpha-2.
COE = set("AL AD AM AT AZ BE BA BG HR CY CZ DK EE FI FR GE DE GR HU IS IE IT LV LI LT LU MT MD MC ME NL MK "
          "NO PL PT RO SM RS SK SI ES SE CH TR UA GB".split())
EU = set("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
WB6 = {"RS", "AL", "MK", "ME", "BA", "XK"}


@pytest.fixture(scope="module")
def register() -> Register:
    return Register.load(RAW)


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    for name in ("countries.csv", "country_names.csv", "predecessors.csv"):
        shutil.copy(RAW / name, tmp_path / name)
    return tmp_path


# --- the tables ----------------------------------------------------------


def test_register_covers_required_states(register):
    codes = set(register.countries()["iso2"])
    assert len(COE) == 46 and len(EU) == 27
    assert COE | EU | WB6 | {"RU", "BY", "TN", "US", "GB", "CA", "JP", "VA"} <= codes


def test_known_codes_are_exact(register):
    table = register.countries().set_index("iso2")
    # Spot checks against ISO 3166-1 for the states the paper compares.
    assert table.loc["RS", ["iso3", "numeric"]].tolist() == ["SRB", "688"]
    assert table.loc["AL", ["iso3", "numeric"]].tolist() == ["ALB", "008"]
    assert table.loc["MK", ["iso3", "numeric"]].tolist() == ["MKD", "807"]
    assert table.loc["ME", ["iso3", "numeric"]].tolist() == ["MNE", "499"]
    assert table.loc["BA", ["iso3", "numeric"]].tolist() == ["BIH", "070"]
    assert table.loc["GB", ["iso3", "numeric"]].tolist() == ["GBR", "826"]
    assert table.loc["XK", ["iso3", "numeric", "user_assigned"]].tolist() == ["XKX", "", "yes"]


def test_every_register_row_cites_a_source(register):
    for frame in (register.countries(), register.names(), register.predecessors()):
        assert frame["source_id"].str.fullmatch(r"[a-z0-9_]+").all()


def test_local_names_in_both_scripts_for_serbia_and_north_macedonia(register):
    names = register.names()
    for iso2 in ("RS", "MK", "ME", "BA"):
        scripts = set(names.loc[names["iso2"] == iso2, "script"])
        assert {"Latn", "Cyrl"} <= scripts, iso2


# --- normalise_key ------------------------------------------------------


@pytest.mark.parametrize("a, b", [
    ("Republika Srbija", "Република Србија"),
    ("Serbia, Republic of", "Republic of Serbia"),
    ("Republic of Serbia", "SERBIA"),
    ("Shqipëria", "shqiperia"),
    ("Republika e Shqipërisë", "Shqiperise"),
    ("F.Y.R.O.M.", "fYROM"),
    ("Bosnia-Herzegovina", "Bosnia and Herzegovina"),
    ("Bosnia & Herzegovina", "Bosnia and Herzegovina"),
    ("Đ", "Ђ"), ("Dž", "Џ"), ("Ć", "Ћ"), ("Č", "Ч"), ("Lj", "Љ"), ("Nj", "Њ"), ("Ќ", "K"), ("Ѓ", "G"),
    ("the former Yugoslav Republic of Macedonia", "Former Yugoslav Republic of Macedonia"),
    ("  North   Macedonia ", "north macedonia"),
])
def test_normalise_key_equates(a, b):
    assert normalise_key(a) == normalise_key(b)


@pytest.mark.parametrize("a, b", [
    ("Federal Republic of Yugoslavia", "Socialist Federal Republic of Yugoslavia"),
    ("Dominican Republic", "Dominica"),
    ("Slovakia", "Slovenia"),
])
def test_normalise_key_keeps_apart(a, b):
    assert normalise_key(a) != normalise_key(b)


@given(st.text(alphabet="абвгдђежзијклљмнњопрстћуфхцчџшѓќѕ ", max_size=30))
def test_serbian_and_macedonian_cyrillic_become_plain_latin(text):
    key = normalise_key(text)
    assert key.isascii()
    assert key == normalise_key(text.upper())


@given(st.lists(st.sampled_from(["Republic", "of", "Republika", "e", "the", "Serbia", "Србија", "-", ",", "i"]),
                max_size=8).map(" ".join) | st.text(max_size=40))
def test_normalise_key_is_idempotent(text):
    assert normalise_key(normalise_key(text)) == normalise_key(text)


# --- resolve ---------------------------------------------------------------


@pytest.mark.parametrize("name, iso2", [
    ("North Macedonia", "MK"), ("FYROM", "MK"), ("the former Yugoslav Republic of Macedonia", "MK"),
    ("Macedonia", "MK"), ("Republic of North Macedonia", "MK"), ("Северна Македонија", "MK"),
    ("Maqedonia e Veriut", "MK"),
    ("Republic of Albania", "AL"), ("Shqipëria", "AL"), ("Republika e Shqipërisë", "AL"),
    ("Srbija", "RS"), ("Србија", "RS"), ("Republika Srbija", "RS"), ("Republic of Serbia", "RS"),
    ("Kosova", "XK"), ("Kosovo*", "XK"), ("BiH", "BA"), ("Bosnia-Herzegovina", "BA"),
    ("Bosna i Hercegovina", "BA"), ("Crna Gora", "ME"), ("Црна Гора", "ME"),
    ("Turkey", "TR"), ("Czech Republic", "CZ"), ("Moldova, Republic of", "MD"), ("Russia", "RU"),
    ("Holy See", "VA"), ("United States of America", "US"), ("UK", "GB"),
    ("SRB", "RS"), ("MK", "MK"),
])
def test_names_sources_use(register, name, iso2):
    assert register.resolve(name).iso2 == iso2


def test_match_fields(register):
    match = register.resolve("Republika e Kosovës")
    assert match == CountryMatch("XK", "XKX", "", "Kosovo", None, True)
    assert register.resolve("Srbija").via_predecessor is None


@pytest.mark.parametrize("name", ["Serbia and Montenegro", "State Union of Serbia and Montenegro",
                                  "Federal Republic of Yugoslavia", "Srbija i Crna Gora", "Савезна Република Југославија"])
def test_predecessors_continued_by_serbia(register, name):
    match = register.resolve(name)
    assert match.iso2 == "RS"
    assert match.via_predecessor in ("Serbia and Montenegro", "Federal Republic of Yugoslavia")
    note = register.succession_note(match.via_predecessor)
    assert "continued by Serbia" in note and "Montenegro succeeded" in note


def test_sfry_has_no_single_continuator(register):
    with pytest.raises(AmbiguousCountryError) as info:
        register.resolve("Socialist Federal Republic of Yugoslavia")
    assert {"Croatia", "Slovenia", "Serbia", "North Macedonia", "Bosnia and Herzegovina"} <= set(info.value.suggestions)
    assert isinstance(info.value, ParseError)


def test_yugoslavia_is_settled_by_the_date(register):
    with pytest.raises(AmbiguousCountryError):
        register.resolve("Yugoslavia")
    assert register.resolve("Yugoslavia", "14/04/1999").via_predecessor == "Federal Republic of Yugoslavia"
    with pytest.raises(AmbiguousCountryError) as info:
        register.resolve("Yugoslavia", "1985")  # the SFRY: several successors
    assert "Croatia" in info.value.suggestions
    with pytest.raises(AmbiguousCountryError):
        register.resolve("Yugoslavia", "1992")  # the year both states existed in


@pytest.mark.parametrize("typo, meant", [("Serbai", "Serbia"), ("Albnia", "Albania"),
                                         ("North Macedoina", "North Macedonia"), ("Montenegor", "Montenegro")])
def test_unknown_names_suggest_the_closest(register, typo, meant):
    with pytest.raises(UnknownCountryError) as info:
        register.resolve(typo)
    assert len(info.value.suggestions) == 3
    assert info.value.suggestions[0] == meant
    assert meant in info.value.expected


@pytest.mark.parametrize("name", ["", "  ", "Narnia", "rs", "Republika Srpska", "Europe"])
def test_non_countries_are_errors(register, name):
    with pytest.raises(UnknownCountryError):
        register.resolve(name)


def test_name_of(register):
    assert register.name_of("MK") == "North Macedonia"
    with pytest.raises(UnknownCountryError):
        register.name_of("YU")


# --- resolve_column ----------------------------------------------------------


def test_resolve_column_keeps_every_row(register):
    frame = pd.DataFrame({"country": ["Србија", "FYROM", "Serbia and Montenegro", "Republic of Albania"]})
    out = resolve_column(frame, "country", "treaty_actions.csv", register)
    assert out["country_iso2"].tolist() == ["RS", "MK", "RS", "AL"]
    assert out["via_predecessor"].isna().tolist() == [True, True, False, True]
    assert out["country"].tolist() == frame["country"].tolist()


def test_resolve_column_reports_every_bad_cell(register):
    frame = pd.DataFrame({"country": ["Serbia", "Serbai", None, "Socialist Federal Republic of Yugoslavia"]})
    with pytest.raises(TomasInputErrors) as info:
        resolve_column(frame, "country", "penalties.csv", register)
    errors = info.value.errors
    assert [(e.file, e.row, e.column) for e in errors] == [("penalties.csv", 3, "country"),
                                                           ("penalties.csv", 4, "country"),
                                                           ("penalties.csv", 5, "country")]
    assert errors[0].expected.startswith("a country name the register knows; closest: Serbia")


def test_resolve_column_uses_the_row_date(register):
    frame = pd.DataFrame({"country": ["Yugoslavia"], "date": ["2001"]})
    out = resolve_column(frame, "country", "treaty_actions.csv", register, date_column="date")
    assert out["country_iso2"].tolist() == ["RS"]


@pytest.mark.parametrize("name", ["treaty_actions.csv", "provisions.csv", "legal_features.csv", "laws.csv",
                                  "strategies.csv", "institutions.csv"])
def test_every_country_in_raw_tables_resolves(register, name):
    path = RAW / name
    if not path.exists():
        pytest.skip(f"{name} not yet curated")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = resolve_column(frame, "country", name, register)
    assert out["country_iso2"].notna().all()
    assert len(out) == len(frame)


# --- a bad register ------------------------------------------------------------


def _edit(path: Path, column: str, row: int, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


@pytest.mark.parametrize("file, column, row, value", [
    ("countries.csv", "iso2", 1, "AD"),  # the code of row 0: a duplicate is reported where it repeats
    ("countries.csv", "iso3", 1, "AND"),
    ("countries.csv", "numeric", 1, "020"),
    ("countries.csv", "numeric", 0, "8"),
    ("countries.csv", "user_assigned", 0, "maybe"),
    ("country_names.csv", "iso2", 0, "ZZ"),
    ("country_names.csv", "name", 0, "Croatia"),  # row 0 is an Albania alias: Croatia would be ambiguous
    ("predecessors.csv", "relation", 0, "heir"),
    ("predecessors.csv", "successor_iso2", 0, "YU"),
    ("predecessors.csv", "end", 0, "31/02/1992"),
])
def test_bad_register_row_names_its_cell(raw_dir, file, column, row, value):
    _edit(raw_dir / file, column, row, value)
    with pytest.raises(TomasInputError) as info:
        Register.load(raw_dir)
    error = info.value
    assert (Path(error.file).name, error.row, error.column) == (file, row + 2, column) or \
        any((Path(e.file).name, e.row, e.column) == (file, row + 2, column) for e in error.errors)


def test_user_assigned_codes_must_be_flagged(raw_dir):
    _edit(raw_dir / "countries.csv", "iso2", 0, "XA")  # ISO leaves X* codes to users
    with pytest.raises(TomasInputError) as info:
        Register.load(raw_dir)
    assert (info.value.row, info.value.column) == (2, "user_assigned")


def test_two_continuators_are_refused(raw_dir):
    path = raw_dir / "predecessors.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["successor_iso2"] == "ME", "relation"] = "continuator"
    frame.to_csv(path, index=False)
    with pytest.raises(TomasInputError) as info:
        Register.load(raw_dir)
    assert info.value.column == "relation"


# --- the command -----------------------------------------------------------------


def test_cli_prints_codes_and_name():
    out, err = io.StringIO(), io.StringIO()
    assert cli_country("Република Србија", RAW, out=out, err=err) == 0
    assert out.getvalue().splitlines()[0] == "RS SRB 688  Serbia"
    assert err.getvalue() == ""


def test_cli_notes_the_predecessor():
    out = io.StringIO()
    assert cli_country("Serbia and Montenegro", RAW, out=out) == 0
    assert "Montenegro succeeded" in out.getvalue()


def test_cli_fails_with_suggestions():
    out, err = io.StringIO(), io.StringIO()
    assert cli_country("Albnia", RAW, out=out, err=err) == 1
    assert out.getvalue() == ""
    assert "Albania" in err.getvalue()
