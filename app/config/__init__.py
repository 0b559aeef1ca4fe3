"""Configuration.xml: lossless document model, validation rules, safe saving, diff."""
