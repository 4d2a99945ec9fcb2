"""Training the emotion LoRAs inside ANIMO, following the original Kohya_ss recipe.

No Qt here: the command line (`animo train-lora`) and, later, the app's dialog drive it.
One module per step: the image folder (images, captions, Kohya's repeat folders), the
training loop, the Kohya-format file, and the manifest update.
"""
