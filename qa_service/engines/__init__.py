"""Model wrappers: loaded lazily, once per process, on the device chosen at load."""
