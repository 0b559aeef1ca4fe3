"""ECMA Host Wizard: edits Microsoft ECMA2Host's Configuration.xml without losing a byte."""

__version__ = "0.1.0"
