"""The JSON Schemas (draft 2020-12) of the instance and solution formats, shipped as package
data and read by :mod:`exactfit.schema`; documented in ``docs/formats.md``."""
