"""Reading the plant's exports: file readers, the data contract, the loaders with their ledger and quarantine, the
shift facts built from raw records, and run locks."""
