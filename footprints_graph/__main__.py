import sys

from footprints_graph.cli import main

sys.exit(main())
