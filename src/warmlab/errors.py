"""warmlab's exception types. `WarmlabError` is a user mistake: the CLI turns it into `warmlab: error: ...`
and exit 2."""


class WarmlabError(Exception):
    """Bad input from the user (a file, a spec, an option). The message is one line, shown as is."""


class GenerationStopped(Exception):
    """Generation was stopped (Ctrl-C, or a run that can no longer record its results): there is no
    output, and code that turns model failures into outcomes must let this through."""
