"""The connector wizard's flow and edits, headless (no Qt): app/ui/wizard attaches the views."""
