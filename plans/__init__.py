"""Rencana aksi (issue 16): each kab/kota's action plan drawn from its verified IKOTAN result."""
