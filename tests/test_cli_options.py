"""Every `kg` subcommand spells its options the same way, documents each one, and keeps old spellings for a release."""

from __future__ import annotations

import argparse

import pytest

from kg.cli import main, make_parser


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _options():
    for name, sp in _subcommands().items():
        for a in sp._actions:
            if not isinstance(a, argparse._HelpAction):
                yield name, a


def test_every_option_and_argument_has_help():
    missing = [(n, a.option_strings or a.dest) for n, a in _options() if not a.help]
    assert missing == []


def test_each_short_flag_has_one_meaning():
    meaning: dict[str, set[str]] = {}
    for _name, a in _options():
        longs = [o for o in a.option_strings if o.startswith("--")]
        for o in a.option_strings:
            if len(o) == 2 and a.help != argparse.SUPPRESS:
                meaning.setdefault(o, set()).update(longs)
    assert meaning, "some short flags exist"
    assert {k: v for k, v in meaning.items() if len(v) != 1} == {}
    assert meaning.get("-o") == {"--output"} and meaning.get("-f") == {"--format"}


def test_output_and_format_are_spelled_the_same_everywhere():
    for name, a in _options():
        if a.help == argparse.SUPPRESS:
            continue
        assert "--out" not in a.option_strings, name
        assert "--json" not in a.option_strings, name
        if "--output" in a.option_strings:
            assert "-o" in a.option_strings, name
        if "--format" in a.option_strings:
            assert "-f" in a.option_strings, name


def test_old_spellings_still_work_with_a_note(tmp_path, capsys):
    out = tmp_path / "lattice.ttl"
    assert main(["export", "--out", str(out)]) == 0
    assert out.stat().st_size > 1000
    err = capsys.readouterr().err
    assert "--out is deprecated" in err and "-o/--output" in err
    new = tmp_path / "new.ttl"
    assert main(["export", "-o", str(new)]) == 0
    assert "deprecated" not in capsys.readouterr().err
    # the same graph (rdflib orders blank-node subjects by their random ids, so the bytes may differ)
    from rdflib import Graph
    from rdflib.compare import isomorphic

    old_graph, new_graph = Graph().parse(out), Graph().parse(new)
    assert len(new_graph) > 100 and isomorphic(old_graph, new_graph)


@pytest.mark.parametrize(
    "argv, field, value",
    [
        (["why", "lat-id:a", "lat:accountableTo", "lat-id:b", "--json"], "format", "json"),
        (["why", "lat-id:a", "lat:accountableTo", "lat-id:b", "-f", "json"], "format", "json"),
        (["sparql", "-f", "q.rq"], "file", "q.rq"),
        (["sparql", "-f", "csv", "SELECT * {}"], "format", "csv"),
        (["graph", "lat-id:a", "--out", "x.svg"], "out", "x.svg"),
        (["synth", "--triples", "10", "-o", "x.nt"], "out", "x.nt"),
    ],
)
def test_aliases_parse_to_the_new_meaning(argv, field, value, capsys):
    args = make_parser().parse_args(argv)
    assert getattr(args, field) == value
    err = capsys.readouterr().err
    old = {"--json", "--out"} & set(argv) or ({"-f"} if argv[0] == "sparql" and value == "q.rq" else set())
    assert ("deprecated" in err) == bool(old)


def test_a_required_output_is_still_required():
    with pytest.raises(SystemExit) as exc:
        make_parser().parse_args(["graph", "lat-id:a"])
    assert exc.value.code == 2
