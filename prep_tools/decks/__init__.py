"""Test decks: acta images with known values (deck), blank forms and local templates
(render), synthetic handwriting (handwriting)."""
