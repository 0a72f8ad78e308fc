"""Choosing care (issue 15): shortlists, comparing services side by side, saved searches with alerts."""
