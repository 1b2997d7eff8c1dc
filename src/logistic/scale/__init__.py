"""Fits that do not fit in memory: partitioned data, Parquet streaming, the Dask backend."""
