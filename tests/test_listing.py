"""Years and categories as typed: one rule, and the same messages, for `list` and `search`."""

from __future__ import annotations

import pytest

from papernotes.errors import UsageError
from papernotes.listing import FIRST, LAST, parse_category, parse_years

# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2019", (2019, 2019)),
        ("2017..2019", (2017, 2019)),
        ("2017..", (2017, LAST)),
        ("..2006", (FIRST, 2006)),
        ("2019..2019", (2019, 2019)),
        (" 2017..2019 ", (2017, 2019)),
    ],
)
def test_years_as_typed(text: str, years: tuple[int, int]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["19", "2019-2020", "20192020", "..", "", "last", "2017...2019"])
def test_years_that_are_not_years_say_what_is_expected(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_years(text, f"--year {text}")
    assert str(caught.value) == (
        f"--year {text}: expected a year like 2019, or a range: 2017..2019, 2017.. or ..2019"
    )
    assert caught.value.exit_code == 2


def test_a_backwards_range_says_how_to_write_it() -> None:
    with pytest.raises(UsageError, match=r"^'2019..2017': the range runs backwards; write 2017"):
        parse_years("2019..2017")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("cs.LG", "cs.lg"),
        ("CS", "cs"),
        ("cs.", "cs"),
        ("cs.*", "cs"),
        ("hep-th", "hep-th"),
        ("cond-mat.stat-mech", "cond-mat.stat-mech"),
        ("math.GT ", "math.gt"),
    ],
)
def test_categories_and_groups_as_typed(text: str, category: str) -> None:
    assert parse_category(text) == category


@pytest.mark.parametrize("text", ["", ".", "cs LG", "cs.LG.x", "1cs", "cs.1", "c$"])
def test_what_is_not_a_category_says_what_is_expected(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_category(text, f"cat:{text}")
    assert str(caught.value) == (
        f"cat:{text}: expected an arXiv category like cs.LG or hep-th, or a group like cs"
    )


# --- list and search agree, through the CLI -----------------------------------------------


@pytest.fixture
def collection(cli, arxiv) -> None:
    """Four recorded papers: 2017 (cs.CL, cs.RO), 2006 (astro-ph), 2002 (math.DG)."""
    cli("add", "1706.03762", "1710.08557", "math/0211159", "astro-ph/0601001")


def listed(cli, *args: str) -> list[str]:
    return sorted(line.split("\t")[0] for line in cli("list", *args).stdout.splitlines())


def searched(cli, query: str) -> list[str]:
    return sorted(line.split("\t")[0] for line in cli("search", query).stdout.splitlines())


def test_open_ranges_of_years_in_list(cli, collection) -> None:
    assert listed(cli, "-y", "2017..") == ["1706.03762", "1710.08557"]
    assert listed(cli, "--year", "..2006") == ["astro-ph/0601001", "math/0211159"]
    assert listed(cli, "-y", "..2002") == ["math/0211159"]
    assert listed(cli, "-y", "2018..") == []


@pytest.mark.parametrize("years", ["2017", "2017..", "..2006", "2002..2006", "1990..2030"])
def test_list_and_search_choose_the_same_years(cli, collection, years: str) -> None:
    assert listed(cli, "-y", years) == searched(cli, f"year:{years}")


@pytest.mark.parametrize("category", ["cs", "cs.", "CS.CL", "math.DG", "astro-ph", "cs.*"])
def test_list_and_search_choose_the_same_categories(cli, collection, category: str) -> None:
    chosen = listed(cli, "-c", category)
    assert chosen and chosen == searched(cli, f"cat:{category}")


@pytest.mark.parametrize(
    ("option", "field", "value"),
    [
        ("--year", "year:", "2017-2019"),
        ("-y", "year:", "2019..2017"),
        ("--category", "cat:", "cs/LG"),
        ("-c", "cat:", "cs.1"),
    ],
)
def test_list_and_search_give_the_same_message(cli, collection, option, field, value) -> None:
    from_list = cli("list", option, value, code=2).stderr.strip()
    from_search = cli("search", f"{field}{value}", code=2).stderr.strip()
    long = "--year" if field == "year:" else "--category"
    assert from_list.startswith(f"Error: {long} {value}: ")
    assert from_search.startswith(f"Error: {field}{value}: ")
    assert from_list.removeprefix(f"Error: {long} {value}") == from_search.removeprefix(
        f"Error: {field}{value}"
    )
