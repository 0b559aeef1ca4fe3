"""The connector wizard's Qt views (pages, forms, attribute picker, schema refresh dialog)."""
