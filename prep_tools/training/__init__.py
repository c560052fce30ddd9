"""Model training (PyTorch at training time only; the runtime reads ONNX): the digit
and words models, their glyph sources and augmentation, ensembles, threshold choice."""
