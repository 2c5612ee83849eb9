__version__ = "0.4.0"  # bump on any change to what is measured: batch keys and the facts cache carry it
