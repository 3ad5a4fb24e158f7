"""Running as a systemd user service, and staying up while devices and the sound server come and go.

- ``unit.py``        the unit file rendered from ``systemd/``; ``service install`` / ``uninstall``
- ``resilience.py``  back-off, chime fallback when speech fails, keep_listening
- ``abandon.py``     sound-library calls with a deadline; a hung one is left behind, not joined
- ``native.py``      what the C sound libraries print, kept out of the journal
"""

from .. import lazy_exports

__all__ = [
    "install_service",
    "uninstall_service",
    "render_unit",
    "ServiceError",
    "Backoff",
    "keep_listening",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "install_service": ".unit",
        "uninstall_service": ".unit",
        "render_unit": ".unit",
        "ServiceError": ".unit",
        "Backoff": ".resilience",
        "keep_listening": ".resilience",
    },
)
