"""The teacher's guide lists exactly the kinds, fields and quantity names the engine has."""

from nntutor.core.catalog import lessons_dir
from nntutor.core.guide import BEGIN, END, kinds_reference
from nntutor.core.kinds import KINDS


def test_guide_kind_reference_is_current():
    text = (lessons_dir() / "README.md").read_text(encoding="utf-8")
    embedded = text[text.index(BEGIN): text.index(END) + len(END)]
    assert embedded == kinds_reference(), "regenerate with: python -m nntutor.core.guide"


def test_guide_names_every_kind_and_field():
    text = (lessons_dir() / "README.md").read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f'kind = "{kind.name}"' in text
        assert kind.fields, kind.name
        assert kind.names, f"{kind.name} documents no quantity names"
        for f in kind.fields:
            assert f"`{f.name}`" in text
