"""Every word the assistant speaks, loaded from ``intents/<lang>/responses/`` and checked.

Takes the response YAML files; gives ``Content`` (lines and script families by key, with
placeholders filled) to the handlers in ``skill/``, and ``DataProblem``s (``file:line: what is
wrong``) to ``voice-repair check``.

- ``loader.py``  loading and serving the words: ``load_content``, ``check_content``
- ``rules.py``   the rules every line must follow (length, no "but" in validation, silences)
- ``contacts.py``  the safety routes as one set per country, each with where it came from
"""

from .. import lazy_exports

__all__ = [
    "Content",
    "load_content",
    "check_content",
    "speakable",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Content": ".loader",
        "load_content": ".loader",
        "check_content": ".loader",
        "speakable": ".loader",
    },
)
