"""Synchronous use cases, one module each, named after the act (verb_noun).

Body order: authorize, load, check procedural preconditions, act, record the audit event.
"""
