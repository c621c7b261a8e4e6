"""The dossiers' lifecycles: ``engine`` (rule types, authorize → lock → fire → log for any dossier) and one
definition module per dossier (``letter``: the intention letter; its steps in ``letter_services``).

``definitions`` is the plain mapping from dossier model to definition, loaded when the app is ready. A new stage
is a new definition module added there, never a copy of the engine.
"""
