"""One router per entity; ``create_app`` mounts them all under ``/api``."""
