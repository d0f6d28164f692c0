"""The contact directory checked against the source text."""

import json
import re

import pytest

from assistant.corpus import Document
from assistant.directory import Directory, match_title
from assistant.normalize import phone_digits
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def directory(document: Document) -> Directory:
    return Directory.load(CORPUS / "contacts.json", [i.title for i in document.initiatives()])


def source_numbers(document: Document) -> set[str]:
    """Every number of the contact table, with the '／' shorthand expanded (06-6966‐6023／6037)."""
    table = document.source[document.source.index("問合せ先"):]
    folded = re.sub(r"[‐−–-]", "-", table)
    numbers = set()
    for m in re.finditer(r"(0\d{1,3}-\d{3,4}-)(\d{4})((?:／\d{4})*)", folded):
        numbers.add(phone_digits(m.group(1) + m.group(2)))
        for extra in re.findall(r"\d{4}", m.group(3)):
            numbers.add(phone_digits(m.group(1) + extra))
    return numbers


def test_every_directory_number_occurs_in_the_source(directory: Directory, document: Document) -> None:
    in_source = source_numbers(document)
    for office in directory.offices:
        assert office.digits in in_source, office
    assert {o.digits for o in directory.offices} == in_source


def test_phones_are_written_with_ascii_hyphens(directory: Directory) -> None:
    for office in directory.offices:
        assert re.fullmatch(r"0\d{1,3}-\d{3,4}-\d{4}", office.phone), office.phone


def test_cells_with_several_offices_become_several_entries(directory: Directory) -> None:
    by_division = {o.division: o.phone for o in directory.offices}
    assert by_division["中小企業課"] == "06-6966-6023"
    assert by_division["取引適正化推進室"] == "06-6966-6037"
    assert by_division["経営力向上室"] == "06-6966-6065"
    assert by_division["国際課"] == "06-6966-6031"
    assert by_division["通商課"] == "06-6966-6034"
    assert by_division["神戸通商事務所"] == "078-393-2682"


def test_every_table_initiative_maps_to_a_section_and_back(directory: Directory, document: Document) -> None:
    titles = [i.title for i in document.initiatives()]
    rows = json.loads((CORPUS / "contacts.json").read_text("utf-8"))["offices"]
    table_names = {name for row in rows for name in row["initiatives"]}
    mapped = {name: match_title(name, titles) for name in table_names}
    assert all(mapped.values()), mapped
    # The table writes 産業人材育成を通じた… where the slides write 産業人材育成等を通じた…
    assert mapped["産業人材育成を通じた地域における人材確保（イ）関西蓄電池人材育成等コンソーシアムの推進"] == (
        "産業人材育成等を通じた地域における人材確保（イ）関西蓄電池人材育成等コンソーシアムの推進")
    # ...and back: every initiative of the document has an office to call.
    served = {t for o in directory.offices for t in o.initiatives}
    assert served == set(titles)


def test_reverse_lookup_of_a_shared_number_finds_both_offices(directory: Directory) -> None:
    assert {o.division for o in directory.by_phone("06-6966-6031")} == {"国際連携推進室", "国際課"}
    assert directory.by_phone("06-6966-6099") == []


def test_remit_puts_the_right_office_first(directory: Directory) -> None:
    first = directory.for_initiative("中小企業の「稼ぐ力」の強化", "取引先が値上げを認めてくれない")[0]
    assert first.division == "取引適正化推進室"
    assert directory.for_initiative("経済安全保障の推進", "神戸の窓口は？")[0].phone == "078-393-2682"
    assert directory.for_initiative("経済安全保障の推進", "")[0].division == "国際課"


@pytest.mark.parametrize("said", ["神戸の番号もあったと思うけど、どこの？", "神戸の事務所の電話番号は？", "What's the Kobe number?"])
def test_an_office_serving_one_area_is_named_by_its_place_and_a_word_for_an_office(directory: Directory,
                                                                                    said: str) -> None:
    assert [o.phone for o in directory.by_division(said)] == ["078-393-2682"]


def test_a_place_the_asker_is_from_names_no_office(directory: Directory) -> None:
    assert directory.by_division("神戸の会社です。水素の相談は？") == []
