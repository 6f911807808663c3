"""What the commands do beyond building: who owns what (`who`), CODEOWNERS (`codeowners`),
a new handbook (`scaffold`), a spreadsheet read into a model (`importer`). Each takes
models and options and returns results; the command line lives in `ownbook.cli`."""
