"""All Qt code of the station. The rest of capture_station knows nothing of Qt."""
