"""Addon discovery, dependency graph, lifecycle and per-request gating."""
