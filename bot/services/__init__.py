"""Work the features share and that outlives a turn: the reminder scheduler, the exports' files and
links, background work finished after a turn has answered."""
