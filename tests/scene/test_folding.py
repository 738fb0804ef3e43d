"""--fold: BatchNormalization, activations and Dropout drawn as part of the layer they follow."""
import pathlib
import shutil

import numpy as np

import tspcli
from tspcli.layers import layer_from_config
from tspcli.layers.inputs import input_class_for_shape
from tspcli.model import Model, Sequential
from tspcli.render.animation import Animation, timeline_for
from tspcli.render.options import RenderOptions
from tspcli.render.scene_inputs import drawn_model
from tspcli.scene.folding import FoldedModel, fold_groups
from tspcli.scene.layout import SceneBuilder, initial_state

ROOT = pathlib.Path(__file__).resolve().parents[2]

BLOCK = [{"type": "Conv2D", "name": "conv", "filters": 3, "kernelSize": 3, "padding": "same"},
         {"type": "BatchNormalization", "name": "bn"},
         {"type": "ReLU", "name": "relu"},
         {"type": "MaxPooling2D", "name": "pool", "poolSize": 2},
         {"type": "Dropout", "name": "drop"},
         {"type": "Flatten", "name": "flat"},
         {"type": "Dense", "name": "logits", "units": 4},
         {"type": "Softmax", "name": "probs"}]


def chain(configs=BLOCK, shape=(6, 6, 2)):
    return Sequential([input_class_for_shape(shape)(name="in", shape=list(shape)),
                       *[layer_from_config(c) for c in configs]]).init()


def captions(model, keep=frozenset()):
    return [layer.caption for layer in FoldedModel(model, keep).layers]


def test_element_wise_layers_fold_into_the_layer_before_them():
    assert captions(chain()) == ["in", "conv +BN +ReLU", "pool +Dropout", "flat", "logits +Softmax"]


def test_scalings_normalizations_and_prelu_fold_too():
    configs = [{"type": "Conv2D", "name": "conv", "filters": 3, "kernelSize": 3, "padding": "same"},
               {"type": "Rescaling", "name": "plus3", "scale": 1.0, "offset": 3.0},
               {"type": "LayerNormalization", "name": "ln"},
               {"type": "PReLU", "name": "act"}]
    assert captions(chain(configs)) == ["in", "conv +Scale +LN +PReLU"]


def test_layers_the_user_names_keep_their_own_slab():
    assert captions(chain(), keep={"bn", "drop"}) == ["in", "conv", "bn +ReLU", "pool", "drop", "flat",
                                                      "logits +Softmax"]


def test_nothing_folds_into_an_input_or_a_layer_with_other_readers_or_a_hidden_one():
    image = input_class_for_shape((6, 6, 2))(name="in", shape=[6, 6, 2])
    act = layer_from_config({"type": "ReLU", "name": "act"}).apply(image)
    conv = layer_from_config({"type": "Conv2D", "name": "conv", "filters": 2, "kernelSize": 1}).apply(act)
    bn = layer_from_config({"type": "BatchNormalization", "name": "bn"}).apply(conv)
    add = layer_from_config({"type": "Add", "name": "add"}).apply([conv, bn])     # conv has two readers
    relu = layer_from_config({"type": "ReLU", "name": "relu"}).apply(add)
    model = Model([image], [relu]).init()
    assert captions(model) == ["in", "act", "conv", "bn", "add +ReLU"]
    relu.drawn = False                                                          # hidden by a view
    assert [head.name for head, _ in fold_groups(model.layers)] == ["in", "act", "conv", "bn", "add", "relu"]


def test_a_folded_slab_shows_the_values_after_the_folded_layers():
    model = chain()
    model.predict(np.linspace(-1, 1, 72, dtype=np.float32).reshape(6, 6, 2))
    shown = FoldedModel(model)
    builder = SceneBuilder(shown)
    scene = builder.build(initial_state(shown))
    slab = next(b for b in scene.blocks if b.key == "conv/slab")
    u0, v0, u1, v1 = slab.tiles[0]
    height, width = slab.texture.image.shape[:2]
    tile = slab.texture.image[round(v0 * height):round(v1 * height), round(u0 * width):round(u1 * width)]
    drawn = (tile[..., 3] / 255 - builder.min_opacity) / (1 - builder.min_opacity)   # on black: value -> opacity
    after = model.get_layer("relu").neural_value.mean(axis=-1)
    before = model.get_layer("conv").neural_value.mean(axis=-1)
    assert not np.allclose(after, before)
    # the value and its opacity are both rounded to 1/255
    np.testing.assert_allclose(drawn, (after - after.min()) / np.ptp(after), atol=1.5 / 255)


def test_folding_changes_neither_predict_nor_summary():
    model = chain()
    x = np.linspace(-1, 1, 72, dtype=np.float32).reshape(6, 6, 2)
    want = model.predict(x).copy()
    values = {layer.name: layer.neural_value.copy() for layer in model.layers}
    shown = drawn_model(model, RenderOptions())
    SceneBuilder(shown).build(initial_state(shown))
    assert np.array_equal(model.predict(x), want)
    assert all(np.array_equal(layer.neural_value, values[layer.name]) for layer in model.layers)
    assert [row["name"] for row in model.summary_rows()] == ["in", *(c["name"] for c in BLOCK)]
    assert drawn_model(model, RenderOptions(fold="none")) is model


def test_the_legend_names_the_folded_types():
    shown = FoldedModel(chain())
    texts = [entry.text for entry in SceneBuilder(shown)._legend.entries]
    assert "BatchNormalization (folded: +BN)" in texts and "Dropout (folded: +Dropout)" in texts


def test_layers_named_by_open_or_a_timeline_are_drawn_on_their_own():
    model = chain()
    opened = drawn_model(model, RenderOptions(open=("bn",)))
    assert [layer.name for layer in opened.layers] == ["in", "conv", "bn", "pool", "flat", "logits"]
    options = RenderOptions(timeline="open:drop,close:drop", size=(320, 180))
    timeline = timeline_for(model, options, from_flag=True)
    drawn = [layer.name for layer in Animation(model, options, timeline).builder.layers]
    assert drawn == ["in", "conv", "pool", "drop", "flat", "logits"]
    everything = timeline_for(model, RenderOptions(timeline="open-all"), from_flag=True)
    opened = {t.layer for t in everything.transitions}
    assert {"conv", "pool"} <= opened and not opened & {"bn", "relu", "drop", "probs"}


def test_mobilenet_v2_draws_at_most_70_slabs(shared_data):
    model = tspcli.load(str(shared_data / "tfkeras2" / "tfk2_mobilenet_v2.h5"))
    model.init()
    shown = drawn_model(model, RenderOptions())
    assert len(model.layers) == 156 and len(shown.layers) <= 70
    assert "block_1_expand +BN +ReLU6" in [layer.caption for layer in shown.layers]


def test_a_keras_2_network_of_46_layers_draws_at_most_25_slabs(tmp_path):
    from model_files import write_separable_blocks

    model = tspcli.load(str(write_separable_blocks(tmp_path / "blocks.h5")))
    assert len(model.layers) == 46
    shown = drawn_model(model, RenderOptions())
    assert len(shown.layers) <= 25
    assert "block1_sep1 +BN +ReLU" in [layer.caption for layer in shown.layers]
    assert len(drawn_model(model, RenderOptions(fold="none")).layers) == 46
    model.predict(np.random.default_rng(1).uniform(0, 1, (32, 32, 3)).astype(np.float32))
    assert not model.random_weights
    scene = SceneBuilder(shown).build(initial_state(shown))
    assert {block.key.split("/")[0] for block in scene.blocks} == {layer.name for layer in shown.layers}


def test_a_view_draws_the_layers_it_lists_on_their_own(tmp_path):
    shutil.copy(ROOT / "samples" / "digits.h5", tmp_path)
    view = tmp_path / "view.yaml"
    view.write_text("model: {load: digits.h5}\n"
                    "layers:\n  - {type: GreyscaleInput, name: digit_image}\n"
                    "  - {type: DepthwiseConv2d, name: dw1}\n  - {type: BatchNormalization, name: dw1_bn}\n")
    listed = drawn_model(tspcli.load(str(view)), RenderOptions())
    assert [layer.caption for layer in listed.layers if layer.drawn] == ["digit_image", "dw1", "dw1_bn"]
    every = drawn_model(tspcli.load(str(view), show_all=True), RenderOptions())
    assert "dw1_bn +ReLU" in [layer.caption for layer in every.layers]       # the unlisted ReLU folds in
    assert "pw1 +BN +ReLU" in [layer.caption for layer in every.layers]
