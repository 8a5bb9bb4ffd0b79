"""Tests of the exact pricing rules: DOC examples, sentences, and hypothesis properties."""
