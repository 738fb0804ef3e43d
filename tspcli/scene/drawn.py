"""The graph a picture draws: a layer's inbound layers, seen through those that are not drawn."""
from __future__ import annotations


def drawn_inbound(layer) -> list:
    """Inbound layers that are drawn, looking through hidden ones."""
    found = []
    for source in layer.inbound:
        for node in ([source] if source.drawn else drawn_inbound(source)):
            if node not in found:
                found.append(node)
    return found
