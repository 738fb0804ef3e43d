"""The terminal shows text, not commands (issue 10, security 5).

Names from files (layers, labels, the model, file names) with ESC sequences, OSC
titles, BEL, newlines, bidi overrides or lone surrogates are printed escaped,
repr-style, by every command; ``--json`` stays valid JSON that carries them exactly.
"""
import json

import pytest

from tspcli.text import safe

ESC_NAME = "in\x1b]0;pwned\x07"               # an OSC title set, ended by BEL
FORGED = "d\ntspcli: all good"                 # a newline that forges a line of ours
CLEAR = "m\x1b[2J"                            # clear the screen
BIDI = "out\u202e"                             # right-to-left override
LABELS = ["a\x1b[31m", "b\r"]
SURROGATE = "x\udc80y"                          # not encodable as UTF-8


def hostile_model(folder, name=CLEAR, dense=FORGED, first=ESC_NAME) -> str:
    """A JSON description (JSON can carry a lone surrogate, YAML cannot)."""
    doc = {"model": {"name": name},
           "layers": [{"type": "Input1d", "name": first, "shape": [4]},
                      {"type": "Dense", "name": dense, "units": 3},
                      {"type": "Output1d", "name": BIDI, "units": 2, "outputs": LABELS}]}
    path = folder / "evil.json"
    path.write_text(json.dumps(doc))
    return str(path)


def assert_clean(text: str) -> None:
    """No control character reaches the terminal but our own line ends; no forged line."""
    assert not any(ch != "\n" and not ch.isprintable() for ch in text), repr(text)
    assert not any(line.startswith("tspcli: all good") for line in text.splitlines())


@pytest.mark.parametrize("raw, shown", [("\x1b[31m", "\\x1b[31m"), ("\x1b]0;t\x07", "\\x1b]0;t\\x07"),
                                        ("a\nb", "a\\nb"), ("a\rb\tc", "a\\rb\\tc"), ("\udc80", "\\udc80"),
                                        ("\u202e", "\\u202e"), ("\x00", "\\x00"), ("\x9b", "\\x9b")])
def test_safe_escapes_control_characters_as_repr_does(raw, shown):
    assert safe(raw) == shown


def test_safe_keeps_text():
    assert safe("Schicht ä 中 'x' \\ 1") == "Schicht ä 中 'x' \\ 1"


def test_summary(cli, tmp_path):
    r = cli("summary", hostile_model(tmp_path))
    assert r.code == 0, r.err
    assert_clean(r.out)
    assert 'Model: "m\\x1b[2J"' in r.out and "in\\x1b]0;pwned\\x07 (Input1d)" in r.out
    assert "d\\ntspcli: all good (Dense)" in r.out and "out\\u202e (Output1d)" in r.out


def test_json_stays_valid_and_exact(cli, tmp_path):
    model = hostile_model(tmp_path)
    for command in (("summary", "--json"), ("validate", "--json"), ("predict", "--json")):
        r = cli(command[0], model, *command[1:])
        assert r.code == 0, r.err
        assert r.out.isascii()                  # json escapes everything, \u001b included
        doc = json.loads(r.out)
        if command[0] == "summary":
            assert [l["name"] for l in doc["layers"]] == [ESC_NAME, FORGED, BIDI]
        if command[0] == "predict":
            assert {t["label"] for t in doc["outputs"][BIDI]["top"]} == set(LABELS)


def test_a_lone_surrogate_is_one_escaped_line(cli, tmp_path):
    r = cli("summary", hostile_model(tmp_path, dense=SURROGATE))
    assert r.code == 2 and len(r.err.splitlines()) == 1 and "Traceback" not in r.err
    assert_clean(r.err) and "\\udc80" in r.err


def test_validate(cli, tmp_path):
    r = cli("validate", hostile_model(tmp_path))
    assert r.code == 0
    assert_clean(r.out + r.err)


def test_predict_text(cli, tmp_path):
    r = cli("predict", hostile_model(tmp_path))
    assert r.code == 0, r.err
    assert_clean(r.out + r.err)
    assert "out\\u202e: top 2" in r.out and "a\\x1b[31m" in r.out and "b\\r" in r.out


def test_errors_that_name_a_layer(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"layers": [{"type": "Input1d", "name": ESC_NAME, "shape": [4]},
                                          {"type": "Dense", "name": FORGED, "units": 3, "nope": 1}]}))
    for command in (("summary",), ("validate",), ("predict",), ("render", "-o", str(tmp_path / "x.png"))):
        r = cli(command[0], str(bad), *command[1:])
        assert r.code == 2
        assert_clean(r.err)
        assert len(r.err.splitlines()) == 1 and "layer 'd\\ntspcli: all good', key 'nope'" in r.err


def test_a_did_you_mean_hint_lists_hostile_names_escaped(cli, tmp_path):
    r = cli("render", hostile_model(tmp_path), "-o", tmp_path / "x.png", "--no-values", "--open", "x\x1b[5m")
    assert r.code == 2 and len(r.err.splitlines()) == 1
    assert_clean(r.err)
    assert "no drawn layer named 'x\\x1b[5m'" in r.err and "in\\x1b]0;pwned\\x07" in r.err


def test_convert_names_its_files_escaped(cli, tmp_path):
    folder = tmp_path / "a\x1b[31m"
    folder.mkdir()
    r = cli("convert", hostile_model(tmp_path), "-o", folder / "m.yaml")
    assert r.code == 0, r.err
    assert_clean(r.out) and "a\\x1b[31m/m.yaml" in r.out


def test_batch_report_lines_are_escaped(cli, tmp_path):
    """A model file whose name is hostile and fails: the summary line names it escaped."""
    from tspcli.batch.report import report, summary_lines
    from tspcli.text import safe

    row = {"job": 1, "model": "m\x1b[2J\n.h5", "input": None, "layer": None, "output": "o.png",
           "status": "failed", "seconds": 0.1, "error": "layer 'x\x07': bad", "warnings": []}
    lines = [safe(line) for line in summary_lines(report([row], 0.1))]
    assert_clean("\n".join(lines))
    assert lines[1] == "  job 1 m\\x1b[2J\\n.h5 -> o.png: layer 'x\\x07': bad"
    # and the CLI: a file name with ESC that does not exist is one escaped line
    r = cli("batch", str(tmp_path / "m\x1b[2J.yaml"), "--out", tmp_path)
    assert r.code == 2 and len(r.err.splitlines()) == 1
    assert_clean(r.err)
