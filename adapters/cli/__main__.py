"""`python -m adapters.cli`: the same as the `caremark-bot` command."""

from adapters.cli import main

raise SystemExit(main())
