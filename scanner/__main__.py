"""`python -m scanner` runs the `nhi` command line."""

from scanner.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    main()
