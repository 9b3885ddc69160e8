"""The README's table of models per vendor is the catalogue's, so the two cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from bot.offers import markdown_table
from bot.vendors import VENDORS

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = re.compile(r"<!-- models:begin -->\n(.*?)\n<!-- models:end -->", re.S)


def test_readme_lists_the_models_of_every_vendor_as_the_catalogue_does() -> None:
    found = SECTION.search(README.read_text(encoding="utf-8"))
    assert found, "README lacks the <!-- models:begin/end --> section"
    expected = markdown_table((vendor, cls.capabilities) for vendor, cls in VENDORS.items())
    # To refresh: paste markdown_table()'s output between the two markers.
    assert found.group(1) == expected


def test_the_table_says_what_each_model_does_and_for_how_long() -> None:
    table = markdown_table((vendor, cls.capabilities) for vendor, cls in VENDORS.items())
    assert (
        "| `runway` | Veo 3.1 Fast | `veo3.1_fast` | text, photo, first+last | 4, 6 or 8 |" in table
    )
    assert "| `runway` | Aleph 2 | `aleph2` | video | input's length |" in table
    assert "| `gptge` | Gen-4 Turbo | `gen4_turbo` | photo | 5 or 10 | 16:9, 9:16 |" in table
    for vendor in VENDORS:
        assert f"| `{vendor}` |" in table
