"""``python -m topicwire`` runs the command line."""

from topicwire.cli import main

main()
