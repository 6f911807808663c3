"""From a checked model to a site on disk: one build whichever engine runs it
(`pipeline`), files written safely and atomically (`output`), the assets and settings the
pages need (`assets`), the engines (`engines`, `zensical`), and what `serve` keeps between
builds (`rebuild`, `downloads`), the HTML blocks set aside from Python-Markdown (`blocks`)
and work on the other core (`parallel`)."""
