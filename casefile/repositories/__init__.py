"""Queries, one module per aggregate; routers and activities call these, never select()."""
