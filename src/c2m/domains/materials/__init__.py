"""Materials and components, stock per factory in lots, reservations for work orders, and the
purchases that keep them in stock (ARCHITECTURE.md: between orders and the catalog)."""
