"""The verifier's one error: the first difference found in a package.

Part of the audit package's verifier; loaded by verify_package.py from its
own folder (run that, not this).
"""


class Failure(Exception):
    """The first difference found: names the file it is in."""

    def __init__(self, file, message):
        super().__init__(file + ": " + message)
