"""Benchmarks and the chaos run; see the README's Benchmarks section."""
