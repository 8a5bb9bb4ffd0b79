"""A typed CRM facade over the Bitrix24 client: reads come back as records with
snake_case fields (Bitrix24's UPPER_CASE and camelCase names stay in ``schemas``),
writes are built as batch commands so a whole decision costs one request."""
