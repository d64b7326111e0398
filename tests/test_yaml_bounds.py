"""Knowledge YAML is bounded: no anchors or aliases ("billion laughs"), size, values, nesting.

The bomb has six levels (531,441 values when expanded), not nine: before the bound, each of
these tests finished, slowly, with some other outcome, instead of hanging the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import InputError, KnowledgeError
from assistant.knowledge.yamlio import MAX_CHARS, MAX_DEPTH, MAX_NODES, YamlProblem, parse_yaml
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tbt_import import import_measures
from tests.test_tbt_import import GOOD, TODAY, _csv

ANCHORS = "anchors and aliases"


def bomb(levels: int = 6) -> str:
    """Each level an anchored list of nine aliases to the level before."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_the_parser_refuses_anchors_aliases_and_oversized_files() -> None:
    with pytest.raises(YamlProblem, match=ANCHORS) as anchored:
        parse_yaml(bomb())
    assert anchored.value.line == 1
    with pytest.raises(YamlProblem, match=ANCHORS) as aliased:
        parse_yaml("a: 1\nb:\n  - x\n  - *missing\n")
    assert aliased.value.line == 4
    with pytest.raises(YamlProblem, match="nested too deep"):
        parse_yaml("x: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))
    with pytest.raises(YamlProblem, match="too many values"):
        parse_yaml("x: [" + ",".join(["1"] * (MAX_NODES + 1)) + "]")
    with pytest.raises(YamlProblem, match="file too large"):
        parse_yaml("x: " + "a" * MAX_CHARS)
    assert parse_yaml("a: [1, {b: c}]\n")[0] == {"a": [1, {"b": "c"}]}  # plain YAML still parses


def test_validate_names_the_file_and_line(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (knowledge_copy / "funding.yaml").write_text(bomb(), encoding="utf-8")
    assert main(["validate", "--knowledge", str(knowledge_copy)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("funding.yaml:1:") and ANCHORS in err


def test_index_refuses_it(
    knowledge_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (knowledge_copy / "tasks.yaml").write_text(bomb(), encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_ENCODER", "fake")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_copy))
    assert main(["index"]) != 0
    err = capsys.readouterr().err
    assert "tasks.yaml:1:" in err and ANCHORS in err
    assert not (tmp_path / "data" / "index" / "current").exists()


def test_an_upload_is_refused_and_nothing_replaced(knowledge_copy: Path, tmp_path: Path) -> None:
    settings = Settings(encoder="fake", data_dir=tmp_path / "data", knowledge_dir=knowledge_copy)
    before = (knowledge_copy / "targets.yaml").read_bytes()
    outcome = Assistant(settings).upload("targets.yaml", bomb().encode())
    assert outcome.report is None and outcome.backup is None
    assert [(p.file, p.line) for p in outcome.problems] == [("targets.yaml", 1)]
    assert ANCHORS in str(outcome.problems[0])
    assert (knowledge_copy / "targets.yaml").read_bytes() == before


def test_start_up_stops_with_the_file_and_line(knowledge_copy: Path, tmp_path: Path) -> None:
    (knowledge_copy / "agencies.yaml").write_text(bomb(), encoding="utf-8")
    settings = Settings(encoder="fake", data_dir=tmp_path / "data", knowledge_dir=knowledge_copy)
    with pytest.raises(KnowledgeError) as stopped:
        Assistant(settings).warm_up()
    problems = [str(p) for p in stopped.value.problems]
    assert len(problems) == 1
    assert problems[0].startswith("agencies.yaml:1:") and ANCHORS in problems[0]


@pytest.mark.parametrize("name", ["measures.yaml", "markets.yaml"])
def test_a_measures_import_names_a_bombed_file_it_reads(
    knowledge_copy: Path, tmp_path: Path, name: str
) -> None:
    (knowledge_copy / "tbt" / name).write_text(bomb(), encoding="utf-8")
    with pytest.raises(InputError, match=ANCHORS) as refused:
        import_measures(knowledge_copy, _csv(tmp_path / "m.csv", [GOOD]), TODAY)
    assert f"{name}:1" in str(refused.value)
