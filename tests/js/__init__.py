"""The front end's unit tests (node --test) and the vectors Python writes for them."""
