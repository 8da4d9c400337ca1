"""Conversation flows as explicit state machines, free of the Bot Framework SDK."""
