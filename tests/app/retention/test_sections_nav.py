"""The retention pages and segments are one click apart: every one of them shows the same section navigation,
its own link marked as the current page; other pages do not show it; the main menu leads to Retention."""
from __future__ import annotations

import re

import pytest

from tests.app.retention.test_overview_page import team  # noqa: F401  (the signed-in fixture)

SECTIONS = {"/retention": "Figures", "/retention/save": "Save list", "/retention/win-back": "Win-back",
            "/retention/loop": "Closing the loop", "/retention/fit": "Customer fit", "/segments": "Segments"}
NAV = re.compile(r'<nav class="filters sections" aria-label="Retention pages">(.*?)</nav>', re.S)


@pytest.mark.parametrize("path", SECTIONS)
def test_each_retention_page_shows_every_section_and_marks_its_own(team, path):  # noqa: F811
    html = team.get(path).get_data(as_text=True)
    nav = NAV.search(html)
    assert nav, f"no section navigation on {path}"
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav.group(1))
    assert [(href, label) for href, _, label in links] == list(SECTIONS.items())
    assert [label for _, current, label in links if current] == [SECTIONS[path]]


def test_other_pages_do_not_and_the_main_menu_leads_to_retention(team):  # noqa: F811
    html = team.get("/customers").get_data(as_text=True)
    assert not NAV.search(html)
    assert '<a href="/retention">Retention</a>' in html


def test_in_persian_the_sections_are_persian(team):  # noqa: F811
    html = team.get("/retention/save", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "صفحه‌های نگهداشت مشتری" in html and ">ارقام</a>" in html
