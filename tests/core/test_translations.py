"""Spanish is the source language of the interface; the English catalogue must cover all of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "atiende" / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    po = catalogue()

    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]

    assert untranslated == [], "run `make messages` and translate these"
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source_one():
    po = catalogue()
    mo = polib.mofile(str(PO.with_suffix(".mo")))

    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(e.msgstr_plural.values())) for e in mo}
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(e.msgstr_plural.values()))
        for e in po.translated_entries()
    }
    assert compiled == source, "run `make messages` to compile the catalogue"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (CI installs it)")
def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    copy = tmp_path / "atiende"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale=en",
            "--no-obsolete",
            "--ignore=demo/*",
            "--ignore=static/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    fresh = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))

    missing = {e.msgid for e in fresh} - {e.msgid for e in catalogue()}

    assert missing == set(), "run `make messages` and translate the new strings"


def test_the_interface_speaks_english_when_asked():
    with translation.override("en"):
        assert translation.gettext("Bandeja de trabajo") == "Workbox"
