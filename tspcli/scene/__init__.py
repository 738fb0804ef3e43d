"""Pure geometry: what is drawn (Scene) and how it moves (Timeline); no pyvista here."""
