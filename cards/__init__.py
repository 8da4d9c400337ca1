"""Adaptive Cards (plain dicts), the payload models of their actions, and the message catalogue."""
