"""The Teams bot: the Bot Framework boundary (`transport/`, the only code that imports botbuilder,
botframework or msrest), the features people use (`features/`, one module each, with its routes),
the services they share (`services/`), and between them what is neither: the routes' registry and
declared access (router.py, routes.py), what arrived (inbound.py), a turn and its reply (turn.py),
the dispatcher (dispatch.py), who is speaking (identity.py) and the round serving them (rounds.py).
See docs/architecture.md."""
