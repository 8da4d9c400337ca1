"""The only package that imports botbuilder: activity handling, routing, HTTP."""
