"""Fill empty entries of the English catalogue from JSON files of {spanish msgid: english}.

    python scripts/fill_translations.py translations.json [more.json ...]

A value is a string, or a [singular, plural] pair for plural entries. Entries already translated
are left alone; the script prints the msgids that are still untranslated afterwards.
Run `make messages` before (to collect new strings) and after (to compile).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "atiende" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main(paths: list[str]) -> int:
    translations: dict[str, str | list[str]] = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    po = polib.pofile(str(PO))
    for entry in po:
        if entry.obsolete or entry.translated() or entry.msgid not in translations:
            continue
        english = translations[entry.msgid]
        if entry.msgid_plural:
            singular, plural = english if isinstance(english, list) else (english, english)
            entry.msgstr_plural = {0: singular, 1: plural}
        else:
            entry.msgstr = english[0] if isinstance(english, list) else english
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    missing = [entry.msgid for entry in po.untranslated_entries()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
