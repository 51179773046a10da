"""topicwire: an engine that runs topic news sites end to end."""

__version__ = "0.1.0"
