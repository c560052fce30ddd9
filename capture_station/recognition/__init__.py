"""Acta recognition: quality gate, QR, registration, handwritten figures.

Plain Python + OpenCV + numpy + onnxruntime; no Qt, SQL or HTTP. The public entry
point is :func:`capture_station.recognition.reader.read_acta`, which never raises on a
bad image: it returns a :class:`~capture_station.recognition.reader.Reading` whose
``status`` names what went wrong (Spanish first, English beside).
"""
