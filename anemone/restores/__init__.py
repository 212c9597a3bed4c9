"""The Restore hub: where a person finds everything their files can come back from (kinds fill it in)."""
