__version__ = "0.2.0"  # bump on any change to what is measured: batch keys and the facts cache carry it
