"""The one exception type for user mistakes; the CLI turns it into `warmlab: error: ...` and exit 2."""


class WarmlabError(Exception):
    """Bad input from the user (a file, a spec, an option). The message is one line, shown as is."""
