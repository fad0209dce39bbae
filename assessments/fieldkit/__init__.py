"""The field kit (issue 15): what a BNNK officer downloads while online to keep working offline."""
