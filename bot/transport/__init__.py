"""The Bot Framework boundary: the only code that imports botbuilder, botframework or msrest (a test
keeps it so). HTTP in, authentication, reading activities into plain data, the turn's connector,
proactive sends, the one retrying Outbound. A move to the Microsoft 365 Agents SDK touches this
folder alone."""
