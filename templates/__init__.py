"""The certificate templates, shipped as package data ``toolkit.templates`` (read with importlib.resources).

``build_templates.py`` makes them; the owner's restyled copies go to ``todistuspohjat/`` beside the register.
"""
