"""Emotion sensing (Qt-free): cameras, face landmarks, the emotion classifier."""
