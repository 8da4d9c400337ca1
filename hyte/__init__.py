"""The HYTE negotiation process in plain Python: no Bot Framework, no database."""
