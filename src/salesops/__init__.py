"""SalesOps: the sales back office as one trustworthy system."""

__version__ = "0.1.0"
