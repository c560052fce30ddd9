"""Benchmarks: recognition accuracy and speed (ocr), the station's pipeline (pipeline),
the server's ingest and work queue (ingest, work), the form's measurements (measure)."""
