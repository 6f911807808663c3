"""A RACI spreadsheet (xlsx, CSV, Markdown) read into model files: its cells (`cells`,
`reading`), where the table is (`layout`), what each row says (`rows`), and the files
written from it (`writing`), driven by `sheet`."""
