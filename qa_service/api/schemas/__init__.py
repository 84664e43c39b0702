"""Request and response bodies, one module per entity: ``XCreate``, ``XUpdate``, ``XPublic``."""
