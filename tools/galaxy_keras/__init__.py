"""Code shared by the scripts behind the Galaxy Keras tools.

Each tool has one thin script next to its XML in ``tools/``; everything two or more of them
need (reading tables, loading models safely, the layer catalogue...) lives here
once.
"""
