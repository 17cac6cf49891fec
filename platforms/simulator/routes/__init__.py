"""HTTP routers of the simulated platforms, one module per platform (plus control)."""
