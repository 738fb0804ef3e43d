"""tspcli: TensorSpace's 3D view of neural networks, on the command line.

Public API::

    import tspcli
    model = tspcli.load("samples/mobilenet_v1.yaml")   # description or model file
    model.init()                                        # output shape of every layer
    model.predict(x)                                    # neural value of every layer

Heavy modules are imported on first use so that ``tspcli --help`` stays light.
"""
__version__ = "0.1.0"

_LAZY = {
    "load": ("tspcli.loading", "load"),
    "Model": ("tspcli.model", "Model"),
    "Sequential": ("tspcli.model", "Sequential"),
    "layers": ("tspcli.layers", None),
    "ops": ("tspcli.ops", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'tspcli' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
