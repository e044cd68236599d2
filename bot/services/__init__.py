"""Services: subscribe, ingest, build and deliver digests, explain, schedule."""
