"""Services: everything the routes call. Each takes the Store (and what else it
needs) as arguments; expected failures are ServiceError values, never 5xx."""
