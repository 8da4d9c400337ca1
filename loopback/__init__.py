"""Teams on loopback, for tests and benchmarks: Teams-shaped activities and people who answer
cards, a Bot Connector stand-in, an Entra ID stand-in, channel tokens signed locally, and the real
app on a loopback port. Nothing here leaves the machine."""
