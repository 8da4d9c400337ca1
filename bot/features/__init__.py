"""What people do with the bot, one module per feature, each with its `routes` and the typed
services it gets (a dataclass named in its `Routes`). Features import no other feature: what one
gives another goes through a service the composition root (app.py) hands over."""
