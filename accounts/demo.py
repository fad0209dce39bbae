"""Demo users for a local checkout: a few BNNK, a few BNNP, one BNN pusat and one admin."""

import os

from regions.models import Province, Regency

from .models import Role, User

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "kotan-demo-2026")

# (username, full name, role, kab/kota code or province code)
DEMO_USERS = [
    ("bnnk.malang", "Petugas BNNK Kota Malang", Role.BNNK, "3573"),
    ("bnnk.batanghari", "Petugas BNNK Batanghari", Role.BNNK, "1504"),
    ("bnnk.mataram", "Petugas BNNK Kota Mataram", Role.BNNK, "5271"),
    ("bnnk.sorong", "Petugas BNNK Sorong", Role.BNNK, "9601"),
    ("bnnp.jatim", "Koordinator BNNP Jawa Timur", Role.BNNP, "35"),
    ("bnnp.jambi", "Koordinator BNNP Jambi", Role.BNNP, "15"),
    ("bnnp.ntb", "Koordinator BNNP Nusa Tenggara Barat", Role.BNNP, "52"),
    ("pusat", "Analis BNN Pusat", Role.PUSAT, None),
]


def create_demo_users() -> list[str]:
    """Create the demo users that do not exist yet; return the usernames created (never touches others)."""
    created = []
    for username, full_name, role, code in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        first, _, last = full_name.partition(" ")
        user = User(
            username=username, first_name=first, last_name=last, role=role, email=f"{username}@demo.kotan"
        )
        if role == Role.BNNK:
            user.regency = Regency.objects.get(code=code)
        elif role == Role.BNNP:
            user.province = Province.objects.get(code=code)
        user.set_password(DEMO_PASSWORD)
        user.save()
        created.append(username)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", "admin@demo.kotan", DEMO_PASSWORD, first_name="Admin", last_name="KOTAN", role=Role.PUSAT
        )
        created.append("admin")
    return created
