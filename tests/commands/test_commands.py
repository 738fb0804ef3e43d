"""summary, layers and --version as a user sees them."""
import json
import os
import subprocess
import sys

import tspcli


def test_summary_mobilenet_lists_every_layer(cli):
    r = cli("summary", "samples/mobilenet_v1.yaml")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == 'Model: "mobilenet-v1" (Sequential)'
    assert any(l.startswith("conv_dw_13 (DepthwiseConv2d)") and "(7, 7, 1024)" in l for l in lines)
    assert "Layers: 30" in r.out
    # 3x3x1024 depthwise kernel + 1024 biases
    assert any(l.startswith("conv_dw_13 ") and l.rstrip().endswith("10,240") for l in lines)


def test_summary_json_shape_is_stable(cli):
    doc = json.loads(cli("summary", "samples/functional.yaml", "--json").out)
    assert set(doc) == {"name", "type", "layers", "total_params"}
    assert (doc["name"], doc["type"]) == ("branches", "Model")
    concat = next(l for l in doc["layers"] if l["name"] == "concat")
    assert concat == {"name": "concat", "type": "Concatenate", "input_shape": [[32, 32, 8], [32, 32, 4], [32, 32, 4]],
                      "output_shape": [32, 32, 16], "params": 0,
                      "inbound": ["branch_1x1", "branch_dw_pw", "branch_pool_pw"]}
    assert doc["total_params"] == sum(l["params"] for l in doc["layers"])


def test_layers_catalogue_and_one_type(cli):
    r = cli("layers")
    assert r.code == 0
    for t in ("DepthwiseConv2d", "SeparableConv2d", "GlobalPooling2d", "Output1d", "Concatenate"):
        assert t in r.out
    r = cli("layers", "depthwiseconv2D")
    assert r.code == 0
    assert "depthMultiplier" in r.out and "depthwise_kernel" in r.out and "#FBBF1F" in r.out
    assert cli("layers", "Nope").code == 2
    doc = json.loads(cli("layers", "MaxPooling2D", "--json").out)
    assert doc["type"] == "Pooling2d" and "maxpooling2d" in doc["aliases"]


def test_version(cli):
    r = cli("--version")
    assert r.code == 0 and tspcli.__version__ in r.out


def test_unknown_command_is_usage_error(cli):
    assert cli("nope").code == 2


def test_numpy_runs_one_blas_thread_unless_the_user_chose(monkeypatch):
    from tspcli.process_settings import BLAS_THREAD_VARIABLES, one_blas_thread

    for name in BLAS_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    one_blas_thread()
    assert "OPENBLAS_NUM_THREADS" not in os.environ


def test_the_command_line_computes_with_one_blas_thread():
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                             "MKL_NUM_THREADS")}
    code = ("import sys; sys.argv = ['tspcli', 'layers']; from tspcli.cli import main\n"
            "try: main()\nexcept SystemExit: pass\n"
            "import numpy, threadpoolctl; print(threadpoolctl.threadpool_info()[0]['num_threads'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "1"


def test_the_program_keeps_freed_memory_for_reuse_on_glibc():
    code = "from tspcli.process_settings import keep_freed_memory as k; print(k())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = sys.platform.startswith("linux") and "glibc" in " ".join(__import__("platform").libc_ver())
    assert out.stdout.strip() == str(expected)
