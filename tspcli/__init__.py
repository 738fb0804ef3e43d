"""tspcli: TensorSpace's 3D view of neural networks, on the command line.

Public API::

    import tspcli
    model = tspcli.load("samples/mobilenet_v1.yaml")   # description or model file
    model.init()                                        # output shape of every layer
    model.predict(x)                                    # neural value of every layer
    tspcli.render_file(model, "out.png", open="all")    # a picture, animation or 3D file
    image = tspcli.render_image(model, size="800x450")  # (H, W, 3) uint8
    plotter = tspcli.plot(model)                        # a pyvista.Plotter, not yet shown

Heavy modules are imported on first use so that ``tspcli --help`` stays light.
"""
__version__ = "0.1.0"

_LAZY = {
    "load": ("tspcli.loading", "load"),
    "Model": ("tspcli.model", "Model"),
    "Sequential": ("tspcli.model", "Sequential"),
    "layers": ("tspcli.layers", None),
    "ops": ("tspcli.ops", None),
    "render_file": ("tspcli.render.pipeline", "render_file"),
    "render_image": ("tspcli.render.pipeline", "render_image"),
    "plot": ("tspcli.render.pipeline", "plot"),
    "RenderOptions": ("tspcli.render.options", "RenderOptions"),
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
