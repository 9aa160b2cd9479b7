"""`cdp report`: the offline HTML report of the warehouse (docs/report.md)."""
