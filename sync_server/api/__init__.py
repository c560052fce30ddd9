"""HTTP API for stations: thin routes over the services."""
