"""The timeline: what plays, and the exact state at any time (no rendering)."""
import math
from types import SimpleNamespace

import pytest
from hypothesis import given, strategies as st

from tspcli.errors import OptionError, SpecError
from tspcli.scene.timeline import EASINGS, Moment, Timeline, parse_timeline


def layer(name, layer_type="Conv2d", init_status="close", anime_time=None,
          output_shape=(8, 8, 4), drawn=True):
    """A stand-in with the attributes of tspcli.layers.base.Layer that the timeline reads."""
    return SimpleNamespace(name=name, layer_type=layer_type, init_status=init_status,
                           anime_time=anime_time, output_shape=output_shape, drawn=drawn)


def model(*layers, anime_time=None):
    options = {} if anime_time is None else {"animeTime": anime_time}
    return SimpleNamespace(layers=list(layers), options=options)


@pytest.fixture
def net():
    return model(layer("input", "RGBInput", output_shape=(32, 32, 3)),
                 layer("conv1"), layer("dw1", "DepthwiseConv2d"),
                 layer("flat", "Flatten", output_shape=(256,)),
                 layer("out", "Output1d", output_shape=(10,)))


# --- one layer opening ------------------------------------------------------------

def test_opening_is_linear_over_the_default_2000_ms(net):
    tl = parse_timeline("open:dw1", net)
    assert tl.duration_ms == 2000
    assert tl.state_at(0).openness["dw1"] == 0.0
    assert tl.state_at(500).openness["dw1"] == 0.25
    assert tl.state_at(1000).openness["dw1"] == 0.5
    assert tl.state_at(2000).openness["dw1"] == 1.0
    assert tl.state_at(5000).openness["dw1"] == 1.0   # after the end: the final state
    assert tl.state_at(-10).openness["dw1"] == 0.0    # before the start: the initial state


def test_other_layers_keep_their_initial_state(net):
    state = parse_timeline("open:dw1", net).state_at(1000)
    assert {k: v for k, v in state.openness.items() if k != "dw1"} == {
        "input": 0.0, "conv1": 0.0, "flat": 0.0, "out": 0.0}


def test_moving_holds_the_layers_in_mid_transition_only(net):
    tl = parse_timeline("open:dw1", net)
    assert tl.state_at(0).moving == frozenset()
    assert tl.state_at(1).moving == {"dw1"}
    assert tl.state_at(1999).moving == {"dw1"}
    assert tl.state_at(2000).moving == frozenset()


def test_closing_reverses_opening(net):
    tl = parse_timeline("open:dw1,close:dw1", net)
    assert tl.duration_ms == 4000
    assert [tl.state_at(t).openness["dw1"] for t in (0, 1000, 2000, 3000, 4000)] == \
        [0.0, 0.5, 1.0, 0.5, 0.0]


# --- animeTime ----------------------------------------------------------------------

def test_a_layers_own_anime_time_overrides_the_models():
    # In TensorSpace a per-layer animeTime multiplies an unset value and gives NaN.
    net = model(layer("a", anime_time=500), layer("b"), anime_time=1000)
    tl = parse_timeline("open:a,open:b", net)
    assert tl.duration_ms == 1500
    half_a = tl.state_at(250).openness["a"]
    assert not math.isnan(half_a) and half_a == 0.5
    assert tl.state_at(500).openness == {"a": 1.0, "b": 0.0}
    assert tl.state_at(1000).openness == {"a": 1.0, "b": 0.5}


def test_non_positive_anime_time_falls_back_as_in_tensorspace():
    tl = parse_timeline("open:a", model(layer("a", anime_time=0), anime_time=-5))
    assert tl.duration_ms == 2000


def test_a_steps_ms_overrides_every_anime_time():
    net = model(layer("a", anime_time=500), layer("b"))
    assert parse_timeline("open:a+b:300", net).duration_ms == 300
    assert parse_timeline([{"open": ["a", "b"], "ms": 300}], net).duration_ms == 300


def test_layers_opened_together_each_take_their_own_time():
    net = model(layer("a", anime_time=500), layer("b"))
    tl = parse_timeline("open:a+b", net)
    assert tl.duration_ms == 2000
    assert tl.state_at(500).openness == {"a": 1.0, "b": 0.25}
    assert tl.state_at(600).moving == {"b"}


# --- initStatus and open-all --------------------------------------------------------

def test_init_status_is_the_state_at_time_zero():
    net = model(layer("a", init_status="open"), layer("b"))
    tl = parse_timeline("close:a,open:b", net)
    assert tl.state_at(0).openness == {"a": 1.0, "b": 0.0}
    assert tl.state_at(1000).openness == {"a": 0.5, "b": 0.0}
    assert tl.state_at(4000).openness == {"a": 0.0, "b": 1.0}


def test_a_layer_without_init_status_starts_as_the_model_says():
    net = model(layer("a", init_status=None), layer("b", init_status="close"))
    net.options["layerInitStatus"] = "open"
    assert parse_timeline("close:a,open:b", net).state_at(0).openness == {"a": 1.0, "b": 0.0}


def test_a_given_initial_state_replaces_init_status():
    net = model(layer("a", init_status="open"), layer("b"))
    tl = parse_timeline("open:a,close:b", net, initial={"b": 1.0})
    assert tl.state_at(0).openness == {"a": 0.0, "b": 1.0}
    assert tl.state_at(4000).openness == {"a": 1.0, "b": 0.0}


def test_opening_an_open_layer_does_nothing_and_takes_no_time():
    net = model(layer("a", init_status="open"), layer("b"))
    assert parse_timeline("open:a,open:b", net).duration_ms == 2000


def test_open_all_opens_closed_layers_in_turn_then_closes_them_together():
    net = model(layer("a"), layer("b", init_status="open"), layer("c", anime_time=1000))
    tl = parse_timeline("open-all", net)
    # a opens over 0..2000, c over 2000..3000, then a and c close from 3000
    assert tl.duration_ms == 5000
    assert tl.state_at(1000).openness == {"a": 0.5, "b": 1.0, "c": 0.0}
    assert tl.state_at(2500).openness == {"a": 1.0, "b": 1.0, "c": 0.5}
    assert tl.state_at(3500).openness == {"a": 0.75, "b": 1.0, "c": 0.5}
    assert tl.state_at(3500).moving == {"a", "c"}
    assert tl.state_at(4000).openness == {"a": 0.5, "b": 1.0, "c": 0.0}
    assert tl.state_at(5000) == tl.state_at(0)  # ends as it began: a GIF loops smoothly


def test_open_all_skips_layers_tensorspace_never_opens():
    net = model(layer("grey", "GreyscaleInput", output_shape=(28, 28, 1)),
                layer("in1d", "Input1d", output_shape=(100,)),
                layer("one_map", "Conv2d", output_shape=(8, 8, 1)),
                layer("bn", "BatchNormalization", drawn=False),
                layer("conv"), layer("dense", "Dense", output_shape=(10,)))
    tl = parse_timeline("open-all", net)
    assert [tr.layer for tr in tl.transitions] == ["conv", "dense", "conv", "dense"]
    assert "bn" not in tl.state_at(0).openness  # not drawn, not in the state
    with pytest.raises(OptionError, match="layer 'bn' is hidden \\(not drawn\\)"):
        parse_timeline("open:bn", net)


def test_open_all_and_close_all_steps(net):
    tl = parse_timeline("open:all,close:all", net)
    assert tl.duration_ms == 4000
    assert set(tl.state_at(2000).openness.values()) == {1.0}


# --- easing -------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(EASINGS))
def test_every_easing_starts_at_0_ends_at_1_and_is_symmetric(name):
    ease = EASINGS[name]
    assert ease(0.0) == 0.0 and ease(1.0) == 1.0
    for x in (0.1, 0.25, 0.4):
        assert ease(x) + ease(1 - x) == pytest.approx(1.0)


def test_easing_curves_at_a_quarter(net):
    at_quarter = {e: parse_timeline("open:dw1", net, easing=e).state_at(500).openness["dw1"]
                  for e in EASINGS}
    assert at_quarter["linear"] == 0.25
    assert at_quarter["ease-in-out"] == pytest.approx(0.5 - 0.5 * math.cos(math.pi / 4))
    assert at_quarter["cubic"] == pytest.approx(4 * 0.25 ** 3)


def test_easing_reaches_the_exact_end_state(net):
    tl = parse_timeline("open:dw1,orbit:90", net, easing="cubic")
    final = tl.state_at(tl.duration_ms)
    assert final.openness["dw1"] == 1.0 and final.azimuth == 90.0


def test_rgb_input_eases_each_of_its_two_moves(net):
    tl = parse_timeline("open:input", net, easing="ease-in-out")
    sep = EASINGS["ease-in-out"]
    assert tl.state_at(250).openness["input"] == pytest.approx(0.5 * sep(0.25))
    assert tl.state_at(500).openness["input"] == pytest.approx(0.25)  # half of separating
    assert tl.state_at(1000).openness["input"] == 0.5                # separated, not spread
    assert tl.state_at(1500).openness["input"] == pytest.approx(0.75)
    closing = parse_timeline("open:input,close:input", net, easing="ease-in-out")
    assert closing.state_at(2000 + 250).openness["input"] == pytest.approx(1 - 0.5 * sep(0.25))


def test_unknown_easing_is_an_option_error(net):
    with pytest.raises(OptionError, match="unknown easing 'bounce'.*linear, ease-in-out, cubic"):
        parse_timeline("open:dw1", net, easing="bounce")


# --- orbits -------------------------------------------------------------------------

def test_orbit_turns_the_camera_after_the_steps_before_it(net):
    tl = parse_timeline([{"open": "dw1"}, {"orbit": 360, "ms": 4000}], net)
    assert tl.duration_ms == 6000
    assert tl.state_at(2000).azimuth == 0.0
    assert tl.state_at(3000).azimuth == 90.0
    assert tl.state_at(6000).azimuth == 360.0


def test_orbit_without_ms_turns_a_full_circle_in_4_s_and_may_go_backwards(net):
    tl = parse_timeline("orbit:-180", net)
    assert tl.duration_ms == 2000
    assert tl.state_at(1000).azimuth == -90.0


def test_wait_holds_the_state(net):
    tl = parse_timeline([{"open": "dw1"}, {"wait": 500}, {"close": "dw1"}], net)
    assert tl.duration_ms == 4500
    assert tl.state_at(2250).openness["dw1"] == 1.0 and tl.state_at(2250).moving == frozenset()
    assert tl.state_at(3500).openness["dw1"] == 0.5


# --- frames -------------------------------------------------------------------------

def test_frame_times_include_both_ends_and_the_last_is_the_final_state(net):
    tl = parse_timeline("open:dw1", net)
    times = tl.frame_times(30)
    assert len(times) == 61 and times[0] == 0.0 and times[-1] == 2000.0
    assert all(b - a == pytest.approx(1000 / 30) for a, b in zip(times, times[1:]))
    assert tl.state_at(times[-1]) == tl.state_at(math.inf)


def test_frame_count_rounds_duration_times_fps(net):
    tl = parse_timeline("wait:1001", net)
    assert len(tl.frame_times(30)) == 31       # round(30.03) intervals
    assert tl.frame_times(30)[-1] == 1001.0
    assert len(tl.frame_times(12.5)) == 14     # round(12.5125) + 1
    assert tl.frame_times(1)[-1] == 1001.0


def test_a_very_short_animation_still_shows_its_end(net):
    assert parse_timeline("wait:10", net).frame_times(30) == [0.0, 10.0]


def test_states_yields_one_state_per_frame(net):
    states = list(parse_timeline("open:dw1", net).states(2))
    assert [s.openness["dw1"] for s in states] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert all(isinstance(s, Moment) for s in states)


@pytest.mark.parametrize("fps", [0, -30, math.nan, "30"])
def test_bad_fps_is_an_option_error(net, fps):
    with pytest.raises(OptionError, match="fps must be a positive number"):
        parse_timeline("open:dw1", net).frame_times(fps)


@given(t=st.floats(-1e4, 2e4, allow_nan=False), easing=st.sampled_from(list(EASINGS)))
def test_openness_stays_within_0_and_1_at_any_time(t, easing):
    net = model(layer("rgb", "RGBInput", output_shape=(8, 8, 3)), layer("a", anime_time=700),
                layer("b", init_status="open"))
    tl = parse_timeline("open-all,orbit:30,close:b", net, easing=easing)
    state = tl.state_at(t)
    assert all(0.0 <= v <= 1.0 for v in state.openness.values())
    assert state == tl.state_at(t)  # pure: the same time gives the same state


# --- the two ways of writing a timeline -----------------------------------------------

def test_text_and_list_forms_compile_to_the_same_timeline(net):
    text = parse_timeline("open:dw1+conv1:800,wait:250,close:dw1,orbit:90:1000,open-all", net)
    listed = parse_timeline([{"open": ["dw1", "conv1"], "ms": 800}, {"wait": 250},
                             {"close": "dw1"}, {"orbit": 90, "ms": 1000}, "open-all"], net)
    assert text == listed
    assert isinstance(text, Timeline)


# --- errors: one line, naming what is wrong ------------------------------------------

def one_line_error(exc_info):
    text = str(exc_info.value)
    assert "\n" not in text
    return text


def test_unknown_layer_lists_the_known_ones_and_suggests_one(net):
    with pytest.raises(OptionError) as exc:
        parse_timeline("open:dw1,close:dw2", net)
    text = one_line_error(exc)
    assert text.startswith("--animate: step 2 'close:dw2': no drawn layer named 'dw2'")
    assert "did you mean 'dw1'?" in text
    assert "layers: input, conv1, dw1, flat, out" in text


def test_long_layer_lists_are_cut_short():
    net = model(*[layer(f"conv{i}") for i in range(30)])
    with pytest.raises(OptionError, match=r"conv11, \.\.\. \(18 more\)\)$"):
        parse_timeline("open:nothing_like_it", net)


def test_a_description_timeline_raises_spec_errors_with_its_file(net):
    with pytest.raises(SpecError) as exc:
        parse_timeline([{"open": "dw1"}, {"wait": -5}], net, error=SpecError,
                       where="timeline", file="net.yaml")
    assert one_line_error(exc) == "net.yaml: timeline: step 2: wait must be >= 0 ms, not -5"


def test_a_layer_that_cannot_open_is_named_with_its_type():
    net = model(layer("grey", "GreyscaleInput", output_shape=(28, 28, 1)), layer("conv"))
    with pytest.raises(OptionError, match="layer 'grey' \\(GreyscaleInput\\) cannot open"):
        parse_timeline("open:grey", net)


@pytest.mark.parametrize("what, message", [
    ("opn:dw1", "unknown action 'opn'"),
    ("open", "'open' needs a value"),
    ("wait:-1", "wait must be >= 0 ms, not '-1'"),
    ("open:dw1:-100", "ms must be >= 0 ms"),
    ("wait:soon", "wait must be a number, not 'soon'"),
    ("wait:500:2", "too many ':' parts"),
    ("orbit:inf", "orbit degrees must be finite"),
    ("open:dw1,,close:dw1", "step 2 '': unknown action ''"),
    ("open:dw1+", "expected layer names"),
    ([{"open": "dw1", "close": "dw1"}], "has open and close; give one action per step"),
    ([{"spin": 360}], "unknown key 'spin'"),
    ([{"ms": 300}], "needs exactly one of open, close, wait, orbit"),
    ([{"wait": 300, "ms": 3}], "'wait' takes its time as its value"),
    ([{"orbit": True}], "orbit degrees must be a number, not True"),
    ([{"open": None}], "expected layer names"),
    ([42], "expected a string or a mapping, not int"),
    ({"open": "dw1"}, "expected a string or a list of steps, not dict"),
    ("close:dw1", "nothing to animate"),
    ("wait:0", "nothing to animate"),
])
def test_malformed_steps_are_option_errors(net, what, message):
    with pytest.raises(OptionError) as exc:
        parse_timeline(what, net)
    assert message in one_line_error(exc)
