"""Analysis of one call: the pipeline (audio -> transcript -> annotations), rule packs, and
``inspect.run``, the one way to run a pack's checks on a transcript."""
