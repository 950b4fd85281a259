"""The demo plant's feeds: history written as the export files a plant's systems produce."""
