"""Drawing a Scene into pixels (pyvista) and writing pixels to files."""
