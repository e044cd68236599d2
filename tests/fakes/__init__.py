"""Reusable fakes: local servers and clocks shared by every test tier."""
