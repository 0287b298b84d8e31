"""The country register: tables, name matching, predecessors, errors, CLI."""

import io
import shutil
from pathlib import Path

import pandas as pd
import pycountry
import pytest
from conftest import TESTS
from hypothesis import given
from hypothesis import strategies as st

from tomas_pipeline.core.errors import ParseError, TomasInputError, TomasInputErrors
from tomas_pipeline.sources.countries import (
    AmbiguousCountryError,
    CountryMatch,
    Register,
    UnknownCountryError,
    cli_country,
    inverted,
    iso_translations,
    normalise_key,
    resolve_column,
)

RAW = TESTS.parent / "data" / "raw"

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


def test_register_is_iso_3166_1_in_full(register):
    table = register.countries().set_index("iso2")
    assert len(table) == len(pycountry.countries) + 1  # and Kosovo
    for country in pycountry.countries:
        assert table.loc[country.alpha_2, ["iso3", "numeric", "iso_name"]].tolist() == [
            country.alpha_3, country.numeric, country.name]
        assert table.at[country.alpha_2, "source_id"]


def test_countries_csv_overrides_only_what_it_fills(register):
    table = register.countries().set_index("iso2")
    assert table.at["VA", "name"] == "Holy See"  # the override
    assert table.at["VA", "iso_name"] == pycountry.countries.get(alpha_2="VA").name  # ISO's stays
    assert table.at["BA", "official_name"] == "Bosnia and Herzegovina"
    assert table.at["BO", "name"] == "Bolivia"  # ISO's common name where it has one
    assert table.at["KR", "name"] == "South Korea"
    assert register.resolve("Holy See (Vatican City State)").iso2 == "VA"


def _all_forms(name: str) -> list[str]:
    """A name, and for "A, B" its forms "B A" and "A (B)" (the UN writes some that way)."""
    forms = [name]
    if name.count(",") == 1 and "(" not in name:
        head, tail = (part.strip() for part in name.split(","))
        forms += [f"{tail} {head}", f"{head} ({tail})"]
    return forms


def test_every_iso_name_resolves_in_every_form(register):
    failures = []
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            for form in _all_forms(getattr(country, attr, "") or ""):
                if form:
                    try:
                        got = register.resolve(form).iso2
                    except ParseError as exc:
                        got = str(exc)
                    if got != country.alpha_2:
                        failures.append((form, country.alpha_2, got))
    assert failures == []


# The UN's short and formal names where they differ from ISO's in form.
@pytest.mark.parametrize("name, iso2", [
    ("Bolivia (Plurinational State of)", "BO"), ("Plurinational State of Bolivia", "BO"),
    ("Iran (Islamic Republic of)", "IR"), ("Islamic Republic of Iran", "IR"),
    ("Micronesia (Federated States of)", "FM"), ("Venezuela (Bolivarian Republic of)", "VE"),
    ("Netherlands (Kingdom of the)", "NL"), ("Republic of Korea", "KR"), ("Korea, Republic of", "KR"),
    ("Democratic People's Republic of Korea", "KP"), ("Republic of Moldova", "MD"),
    ("United Republic of Tanzania", "TZ"), ("Democratic Republic of the Congo", "CD"), ("Congo", "CG"),
    ("Lao People's Democratic Republic", "LA"), ("Syrian Arab Republic", "SY"), ("Côte d'Ivoire", "CI"),
    ("Cote d'Ivoire", "CI"), ("Türkiye", "TR"), ("Czechia", "CZ"), ("Eswatini", "SZ"),
    ("Macedonia, North", "MK"), ("North Macedonia", "MK"), ("Viet Nam", "VN"), ("Brunei Darussalam", "BN"),
    ("Gambia (Republic of The)", "GM"), ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ("State of Palestine", "PS"),
])
def test_un_style_names(register, name, iso2):
    assert register.resolve(name).iso2 == iso2


@pytest.mark.parametrize("name, iso2", [
    ("Severna Makedonija", "MK"), ("Северна Македонија", "MK"), ("Maqedonia e Veriut", "MK"),
    ("Njemačka", "DE"), ("Немачка", "DE"), ("Gjermani", "DE"), ("Obala Slonovače", "CI"),
    ("Kepi i Fildishtë", "CI"), ("Германија", "DE"),
])
def test_translations_from_iso_codes(register, name, iso2):
    assert register.resolve(name).iso2 == iso2


def test_every_translation_resolves_to_its_country(register):
    translations = iso_translations()
    assert len({name for _, name in translations}) > 1000  # six locales of ~250 countries
    wrong = [(iso2, name) for iso2, name in translations if register.resolve(name).iso2 != iso2]
    assert wrong == []


def test_no_key_means_two_countries(register):
    for key, targets in register._keys.items():
        assert len({t.id for t in targets if t.kind == "country"}) <= 1, key


def test_colliding_translations_are_resolved_without_guessing(raw_dir):
    # "Zemlja" translates two countries; "Albania" would take ISO's English name
    # of another; "Srbija" is the project's own alias of Serbia (country_names.csv).
    fake = (("RS", "Zemlja"), ("AL", "Zemlja"), ("RS", "Albania"), ("HR", "Srbija"), ("HR", "Hrvatska zemlja"))
    first = Register.load(raw_dir, translations=fake)
    second = Register.load(raw_dir, translations=tuple(reversed(fake)))
    assert first._keys == second._keys  # the same keys, whatever the order
    with pytest.raises(UnknownCountryError):
        first.resolve("Zemlja")
    assert first.resolve("Albania").iso2 == "AL"
    assert first.resolve("Srbija").iso2 == "RS"
    assert first.resolve("Hrvatska zemlja").iso2 == "HR"


def test_inverted():
    assert inverted("Macedonia, North") == "North Macedonia"
    assert inverted("Bolivia (Plurinational State of)") == "Plurinational State of Bolivia"
    assert inverted("Serbia") is None
    assert inverted("Saint Helena, Ascension, Tristan") is None


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
                                  "Federal Republic of Yugoslavia", "Srbija i Crna Gora",
                                  "Савезна Република Југославија"])
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


@pytest.mark.parametrize("typo, meant", [("Srb", "Serbia"), ("Bosna", "Bosnia and Herzegovina"),
                                         ("Herzegovina", "Bosnia and Herzegovina"),
                                         ("Kosvo", "Kosovo"), ("Itlay", "Italy"), ("Macedonija", "North Macedonia"),
                                         ("Crna Gor", "Montenegro")])
def test_short_inputs_suggest_the_country_meant(register, typo, meant):
    with pytest.raises(UnknownCountryError) as info:
        register.resolve(typo)
    assert meant in info.value.suggestions


@pytest.mark.parametrize("code, expected, suggestions", [
    ("XX", "an ISO 3166-1 alpha-2 code the register holds (no country has XX)", []),
    ("XXX", "an ISO 3166-1 alpha-3 code the register holds (no country has XXX)", []),
    ("rs", "a code in capitals", ["RS (Serbia)"]),
    ("mk", "a code in capitals", ["MK (North Macedonia)"]),
])
def test_code_shaped_inputs_get_a_codes_answer(register, code, expected, suggestions):
    # Spelling similarity between two letters ranks names at random ("XX": Fiji, Djibouti, Jersey).
    with pytest.raises(UnknownCountryError) as info:
        register.resolve(code)
    assert info.value.expected.startswith(expected)
    assert info.value.suggestions == suggestions


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
    # countries.csv rows: 0 overrides BA, 1 overrides VA, 2 adds XK.
    ("countries.csv", "iso2", 1, "BA"),  # the code of row 0: a duplicate is reported where it repeats
    ("countries.csv", "iso3", 1, "AND"),  # an override may only repeat ISO's codes (VAT)
    ("countries.csv", "iso3", 2, "SRB"),  # an added country's codes are its own
    ("countries.csv", "numeric", 2, "688"),
    ("countries.csv", "numeric", 0, "8"),
    ("countries.csv", "name", 2, "Serbia"),
    ("countries.csv", "iso2", 2, "AB"),  # neither ISO's nor user-assigned
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


@pytest.mark.parametrize("row, value", [(2, "no"), (1, "yes")])  # XK is user-assigned, VA is ISO's
def test_user_assigned_codes_must_be_flagged(raw_dir, row, value):
    _edit(raw_dir / "countries.csv", "user_assigned", row, value)
    with pytest.raises(TomasInputError) as info:
        Register.load(raw_dir)
    assert (row + 2, "user_assigned") in [(e.row, e.column) for e in info.value.errors]


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
