"""The pure domain: model, catalog, actions, apply, effects, history and store.

Nothing here does I/O, reads a clock (except through an injected one) or imports another
imbolc layer.
"""
