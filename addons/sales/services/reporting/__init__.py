"""Read-only figures: the pipeline board and the sales dashboard."""
