"""Writers: thin adapters from the document model to file formats."""
