"""Backends that draw a Scene: ``vector`` (SVG and PDF through matplotlib) with its pure helpers
(``flatten``, ``sheets``, ``painter``, ``glyphs``, ``primitives``).  A vector backend imports nothing
of the raster one, and the raster one nothing of it (tests/test_render_vector.py checks)."""
