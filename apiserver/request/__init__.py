"""What every stage knows about the request in hand: what it addresses, who sends it, its audit ID and its
deadline. Filters fill it in; handlers, admission and authorizers read it from here and nowhere else."""
