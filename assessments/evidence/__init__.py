"""Evidence (bukti dukung): the checked upload, the checklist and the download pages."""
