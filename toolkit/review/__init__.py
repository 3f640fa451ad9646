"""The semester review: small frames from the typed tables, and the plots the notebooks and the summary show."""
