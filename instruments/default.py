"""The default IKOTAN instrument and the three published band schemes, as plain data ([KOTAN default]).

Modelled on ../shared/IKOTAN.md: the five published variables, indicator names following the
sub-variables reported by BNNK Musi Rawas (2021) where they fit, 2–4 questions per indicator, and the
respondent groups of Donggala 2023 (180 respondents per kab/kota). BNN can replace all of it with the
official instrument: load_instrument only creates what is missing, and an instrument is edited, copied
or imported as a new version in the admin.

`default_instrument_data()` expands the compact tables below into the plain structure that
instruments.services builds instruments from (the same structure the XLSX import produces).
"""

from __future__ import annotations

from decimal import Decimal

DEFAULT_VERSION = "IKOTAN-2026.1"
DEFAULT_NAME = "Instrumen IKOTAN bawaan KOTAN"
DEFAULT_DESCRIPTION = (
    "Instrumen bawaan KOTAN: lima variabel IKOTAN (Ketahanan Keluarga, Ketahanan Masyarakat, "
    "Kewilayahan, Kelembagaan, Hukum) dengan bobot sama, dua unit analisis (keluarga dan non-keluarga). "
    "Disusun dari sumber publik; dapat diganti dengan instrumen resmi BNN sebagai versi baru."
)
DEFAULT_BAND_SCHEME = "lima-0-100"

# --- Band schemes -------------------------------------------------------------------------------------

BAND_SCHEMES = [
    {
        "code": "lima-0-100",
        "name": "Lima kategori tetap, skala 0–100 (survei nasional pertama)",
        "kind": "fixed",
        "scale_min": Decimal("0"),
        "scale_max": Decimal("100"),
        "decimals": 2,
        "relative_top": "scale_max",
        "description": "Lima kategori tetap survei IKOTAN pertama (bersama Universitas Padjadjaran).",
        "bands": [
            ("Tidak Tanggap", Decimal("0.00"), Decimal("20.00")),
            ("Kurang Tanggap", Decimal("20.01"), Decimal("40.00")),
            ("Cukup Tanggap", Decimal("40.01"), Decimal("60.00")),
            ("Tanggap", Decimal("60.01"), Decimal("80.00")),
            ("Sangat Tanggap", Decimal("80.01"), Decimal("100.00")),
        ],
    },
    {
        "code": "empat-0-100-2021",
        "name": "Empat kategori tetap, skala 0–100 (sosialisasi BNN 2021)",
        "kind": "fixed",
        "scale_min": Decimal("0"),
        "scale_max": Decimal("100"),
        "decimals": 2,
        "relative_top": "scale_max",
        "description": "Empat kategori tetap dari sosialisasi Direktorat Peran Serta Masyarakat BNN, 2021.",
        "bands": [
            ("Tidak Tanggap", Decimal("0.00"), Decimal("25.00")),
            ("Cukup Tanggap", Decimal("25.01"), Decimal("50.00")),
            ("Tanggap", Decimal("50.01"), Decimal("75.00")),
            ("Sangat Tanggap", Decimal("75.01"), Decimal("100.00")),
        ],
    },
    {
        "code": "tiga-relatif-1-4",
        "name": "Tiga kategori relatif, skala 1–4 (hasil 2022–2023)",
        "kind": "relative",
        "scale_min": Decimal("1"),
        "scale_max": Decimal("4"),
        "decimals": 3,
        "relative_top": "scale_max",
        "description": (
            "Tiga interval sama antara skor terendah peserta periode dan batas atas skala (4,000), "
            "ditetapkan setelah semua kab/kota peserta selesai dinilai."
        ),
        "bands": [("Cukup Tanggap", None, None), ("Tanggap", None, None), ("Sangat Tanggap", None, None)],
    },
]

# --- Respondent groups (code, name, unit, minimum quota per kab/kota) ------------------------------------

GROUPS = [
    ("keluarga", "Keluarga", "family", 60),
    ("masyarakat", "Masyarakat", "non_family", 40),
    ("instansi", "Instansi Pemerintah", "non_family", 30),
    ("pendidikan", "Pendidikan", "non_family", 30),
    ("swasta", "Swasta/Dunia Usaha", "non_family", 20),
]

# --- Answer labels ------------------------------------------------------------------------------------

SETUJU = ("Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju")
PELAKSANAAN = (
    "Tidak ada",
    "Baru direncanakan",
    "Ada, tetapi belum berjalan",
    "Berjalan sebagian",
    "Sudah berjalan baik",
)
FREKUENSI = ("Tidak pernah", "Jarang", "Kadang-kadang", "Sering", "Selalu")

RAD_P4GN = ("Belum ada", "Masih draf", "Sudah ditetapkan", "Dilaksanakan dan dievaluasi")
PERDA_P4GN = (
    "Belum ada",
    "Masih rancangan",
    "Sudah ditetapkan",
    "Sudah ada peraturan pelaksana (Perkada)",
)
# Number questions: (lower threshold, label, score); a number takes the score of the highest threshold
# not above it.
THRESHOLDS_0_1_3_6 = ((0, "0 (tidak ada)", 0), (1, "1–2", 1), (3, "3–5", 2), (6, "6 atau lebih", 3))


def _likert(code, labels, text, help_text="", groups=None):
    return {
        "code": code,
        "kind": "likert",
        "labels": labels,
        "text": text,
        "help": help_text,
        "groups": groups,
    }


def _yesno(code, text, help_text="", groups=None):
    return {"code": code, "kind": "yesno", "text": text, "help": help_text, "groups": groups}


def _choice(code, labels, text, help_text="", groups=None):
    return {
        "code": code,
        "kind": "choice",
        "labels": labels,
        "text": text,
        "help": help_text,
        "groups": groups,
    }


def _number(code, thresholds, text, help_text="", groups=None):
    return {
        "code": code,
        "kind": "number",
        "thresholds": thresholds,
        "text": text,
        "help": help_text,
        "groups": groups,
    }


# --- Variables, indicators, questions ----------------------------------------------------------------
# Each variable names the respondent groups of the IKOTAN.md table; a question asks all of them unless
# it names a narrower subset (only those who can know the answer, e.g. the APBD budget).

VARIABLES = [
    {
        "code": "KK",
        "name": "Ketahanan Keluarga",
        "groups": ["keluarga"],
        "indicators": [
            (
                "KK1",
                "Keharmonisan keluarga: komunikasi dan pengawasan",
                [
                    _likert(
                        "KK1.1",
                        SETUJU,
                        "Anggota keluarga kami terbiasa berbicara terbuka tentang masalah sehari-hari, "
                        "termasuk pergaulan anak.",
                    ),
                    _likert(
                        "KK1.2",
                        SETUJU,
                        "Orang tua mengetahui dengan siapa dan di mana anak-anak bergaul di luar rumah.",
                    ),
                    _likert(
                        "KK1.3",
                        FREKUENSI,
                        "Dalam sebulan terakhir, seberapa sering keluarga Anda berkumpul dan berbincang "
                        "bersama?",
                    ),
                ],
            ),
            (
                "KK2",
                "Kesadaran hukum narkotika: pengetahuan bahaya narkoba",
                [
                    _likert(
                        "KK2.1",
                        SETUJU,
                        "Saya mengetahui jenis-jenis narkoba dan dampaknya bagi kesehatan.",
                    ),
                    _likert(
                        "KK2.2",
                        SETUJU,
                        "Saya mengetahui bahwa memakai, menyimpan, atau mengedarkan narkoba diancam pidana "
                        "menurut UU No. 35 Tahun 2009 tentang Narkotika.",
                    ),
                    _yesno(
                        "KK2.3",
                        "Dalam setahun terakhir, apakah ada anggota keluarga Anda yang mengikuti penyuluhan "
                        "atau sosialisasi bahaya narkoba?",
                    ),
                ],
            ),
            (
                "KK3",
                "Perilaku sehat: aturan dan keteladanan dalam keluarga",
                [
                    _likert(
                        "KK3.1",
                        SETUJU,
                        "Keluarga kami memiliki aturan yang jelas tentang jam pulang, rokok, minuman keras, "
                        "dan narkoba.",
                    ),
                    _likert(
                        "KK3.2",
                        SETUJU,
                        "Orang tua memberi contoh hidup sehat: tidak merokok di dalam rumah, tidak minum "
                        "minuman keras, dan tidak memakai narkoba.",
                    ),
                ],
            ),
            (
                "KK4",
                "Akses konseling keluarga dan deteksi dini",
                [
                    _likert(
                        "KK4.1",
                        SETUJU,
                        "Saya tahu ke mana meminta bantuan (puskesmas, BNNK, konselor) bila ada anggota "
                        "keluarga yang diduga memakai narkoba.",
                    ),
                    _likert(
                        "KK4.2",
                        PELAKSANAAN,
                        "Bagaimana ketersediaan layanan konseling keluarga atau deteksi dini penyalahgunaan "
                        "narkoba yang dapat dijangkau dari tempat tinggal Anda?",
                    ),
                ],
            ),
        ],
    },
    {
        "code": "KM",
        "name": "Ketahanan Masyarakat",
        "groups": ["keluarga", "masyarakat"],
        "indicators": [
            (
                "KM1",
                "Partisipasi masyarakat: kesadaran dan kewaspadaan",
                [
                    _likert(
                        "KM1.1",
                        SETUJU,
                        "Warga di lingkungan saya peduli dan berani melapor bila mengetahui peredaran atau "
                        "penyalahgunaan narkoba.",
                    ),
                    _likert(
                        "KM1.2",
                        SETUJU,
                        "Warga tahu cara melapor (ke RT/RW, polisi, BNNK, atau layanan pengaduan) tanpa "
                        "takut identitasnya diketahui.",
                    ),
                    _likert(
                        "KM1.3",
                        FREKUENSI,
                        "Seberapa sering Anda mendapat informasi bahaya narkoba dari media lokal, media "
                        "sosial, atau pengumuman di lingkungan?",
                        "Pemberitaan dan informasi P4GN di daerah.",
                    ),
                ],
            ),
            (
                "KM2",
                "Relawan dan penggiat anti narkoba",
                [
                    _yesno(
                        "KM2.1",
                        "Apakah di desa/kelurahan Anda ada relawan atau penggiat anti narkoba yang aktif?",
                    ),
                    _likert(
                        "KM2.2",
                        PELAKSANAAN,
                        "Bagaimana kegiatan pencegahan yang dilakukan relawan atau penggiat anti narkoba di "
                        "lingkungan Anda?",
                    ),
                    _likert(
                        "KM2.3",
                        SETUJU,
                        "Tokoh agama, tokoh adat, dan tokoh pemuda di lingkungan saya ikut menyuarakan "
                        "penolakan terhadap narkoba.",
                    ),
                ],
            ),
            (
                "KM3",
                "Kegiatan Desa/Kelurahan Bersinar",
                [
                    _likert(
                        "KM3.1",
                        PELAKSANAAN,
                        "Bagaimana pelaksanaan program Desa/Kelurahan Bersinar (Bersih Narkoba) di "
                        "desa/kelurahan Anda?",
                    ),
                    _likert(
                        "KM3.2",
                        PELAKSANAAN,
                        "Bagaimana keterlibatan warga dalam kegiatan Desa/Kelurahan Bersinar (penyuluhan, "
                        "tes urine sukarela, kegiatan pemuda)?",
                    ),
                ],
            ),
            (
                "KM4",
                "Kegiatan berbasis kearifan lokal",
                [
                    _likert(
                        "KM4.1",
                        PELAKSANAAN,
                        "Bagaimana pemanfaatan kegiatan adat, keagamaan, atau budaya setempat untuk "
                        "menyampaikan pesan anti narkoba di lingkungan Anda?",
                    ),
                    _likert(
                        "KM4.2",
                        SETUJU,
                        "Nilai dan aturan adat atau kebiasaan setempat membantu menjauhkan warga, terutama "
                        "remaja, dari narkoba.",
                    ),
                ],
            ),
        ],
    },
    {
        "code": "KW",
        "name": "Kewilayahan",
        "groups": ["masyarakat", "instansi", "swasta"],
        "indicators": [
            (
                "KW1",
                "Wilayah rentan dan database daerah: pemetaan kawasan rawan",
                [
                    _yesno(
                        "KW1.1",
                        "Apakah pemerintah daerah bersama BNNK telah memetakan kawasan rawan narkoba di "
                        "kabupaten/kota ini?",
                    ),
                    _likert(
                        "KW1.2",
                        SETUJU,
                        "Data kawasan rawan narkoba diperbarui secara berkala dan dipakai untuk merencanakan "
                        "kegiatan.",
                    ),
                ],
            ),
            (
                "KW2",
                "Intervensi di kawasan rawan",
                [
                    _likert(
                        "KW2.1",
                        PELAKSANAAN,
                        "Bagaimana pelaksanaan kegiatan pemberdayaan (pelatihan keterampilan, kegiatan "
                        "pemuda, usaha ekonomi) di kawasan rawan narkoba?",
                    ),
                    _likert(
                        "KW2.2",
                        PELAKSANAAN,
                        "Bagaimana pelaksanaan patroli, razia, atau operasi gabungan di kawasan rawan "
                        "narkoba?",
                    ),
                    _likert(
                        "KW2.3",
                        SETUJU,
                        "Kawasan rawan narkoba di daerah ini sekarang lebih aman dibandingkan setahun lalu.",
                    ),
                ],
            ),
            (
                "KW3",
                "Pengawasan wilayah: tempat hiburan dan ruang publik",
                [
                    _likert(
                        "KW3.1",
                        SETUJU,
                        "Tempat hiburan malam, rumah kos, dan penginapan diawasi secara rutin terkait "
                        "peredaran narkoba.",
                    ),
                    _likert(
                        "KW3.2",
                        FREKUENSI,
                        "Seberapa sering ada pemeriksaan atau tes urine bagi pekerja tempat hiburan dan "
                        "penginapan?",
                    ),
                    _likert(
                        "KW3.3",
                        SETUJU,
                        "Ruang publik (taman, terminal, pasar) aman dari transaksi dan pemakaian narkoba.",
                    ),
                ],
            ),
            (
                "KW4",
                "Ketersediaan fasilitas: akses layanan rehabilitasi",
                [
                    _number(
                        "KW4.1",
                        THRESHOLDS_0_1_3_6,
                        "Berapa jumlah fasilitas layanan rehabilitasi narkoba di kabupaten/kota ini?",
                        "Hitung IPWL, klinik BNNK, puskesmas/rumah sakit dengan layanan rehabilitasi, dan "
                        "lembaga rehabilitasi komponen masyarakat.",
                        groups=["instansi"],
                    ),
                    _likert(
                        "KW4.2",
                        SETUJU,
                        "Warga yang memerlukan rehabilitasi narkoba dapat memperoleh layanan dengan mudah "
                        "dan tanpa takut dipidana.",
                    ),
                ],
            ),
        ],
    },
    {
        "code": "KL",
        "name": "Kelembagaan",
        "groups": ["instansi", "pendidikan", "swasta"],
        "indicators": [
            (
                "KL1",
                "Tim Terpadu P4GN",
                [
                    _yesno(
                        "KL1.1",
                        "Apakah kepala daerah telah menetapkan Tim Terpadu P4GN dengan surat keputusan (SK)?",
                    ),
                    _likert(
                        "KL1.2",
                        PELAKSANAAN,
                        "Bagaimana kegiatan Tim Terpadu P4GN (rencana kerja, pembagian tugas, laporan "
                        "kegiatan)?",
                    ),
                ],
            ),
            (
                "KL2",
                "Rencana Aksi Daerah (RAD) P4GN",
                [
                    _choice(
                        "KL2.1",
                        RAD_P4GN,
                        "Bagaimana status Rencana Aksi Daerah (RAD) P4GN di kabupaten/kota ini?",
                    ),
                    _likert(
                        "KL2.2",
                        SETUJU,
                        "Lembaga saya mengetahui dan menjalankan tugasnya dalam RAD P4GN.",
                    ),
                ],
            ),
            (
                "KL3",
                "Daya dukung anggaran: anggaran P4GN dalam APBD",
                [
                    _yesno(
                        "KL3.1",
                        "Apakah APBD tahun berjalan memuat anggaran khusus untuk kegiatan P4GN?",
                        groups=["instansi"],
                    ),
                    _likert(
                        "KL3.2",
                        SETUJU,
                        "Anggaran P4GN yang tersedia cukup untuk melaksanakan kegiatan yang direncanakan.",
                        groups=["instansi"],
                    ),
                ],
            ),
            (
                "KL4",
                "Rapat koordinasi P4GN",
                [
                    _number(
                        "KL4.1",
                        THRESHOLDS_0_1_3_6,
                        "Berapa kali rapat koordinasi P4GN tingkat kabupaten/kota diselenggarakan dalam 12 "
                        "bulan terakhir?",
                        "Isi dengan angka, 0 bila tidak ada.",
                        groups=["instansi"],
                    ),
                    _likert(
                        "KL4.2",
                        FREKUENSI,
                        "Seberapa sering lembaga Anda diundang dan hadir dalam rapat koordinasi P4GN?",
                    ),
                ],
            ),
            (
                "KL5",
                "Kolaborasi antarlembaga: kemitraan (MoU/PKS)",
                [
                    _yesno(
                        "KL5.1",
                        "Apakah lembaga Anda memiliki nota kesepahaman (MoU) atau perjanjian kerja sama "
                        "(PKS) tentang P4GN dengan BNNK atau pemerintah daerah?",
                    ),
                    _likert(
                        "KL5.2",
                        PELAKSANAAN,
                        "Bagaimana pelaksanaan kegiatan bersama yang disepakati dalam MoU/PKS P4GN?",
                    ),
                ],
            ),
            (
                "KL6",
                "Satuan tugas anti narkoba di sekolah dan perusahaan",
                [
                    _yesno(
                        "KL6.1",
                        "Apakah di lembaga Anda telah dibentuk satuan tugas (satgas) atau kader anti "
                        "narkoba?",
                    ),
                    _likert(
                        "KL6.2",
                        PELAKSANAAN,
                        "Bagaimana kegiatan satgas atau kader anti narkoba di lembaga Anda (penyuluhan, "
                        "media informasi, pendampingan)?",
                    ),
                    _likert(
                        "KL6.3",
                        SETUJU,
                        "Pimpinan lembaga saya mendukung kegiatan pencegahan narkoba dengan waktu, tempat, "
                        "dan dana.",
                    ),
                ],
            ),
        ],
    },
    {
        "code": "HK",
        "name": "Hukum",
        "groups": ["instansi", "pendidikan"],
        "indicators": [
            (
                "HK1",
                "Regulasi: Perda Fasilitasi P4GN",
                [
                    _choice(
                        "HK1.1",
                        PERDA_P4GN,
                        "Bagaimana status peraturan daerah (Perda) tentang Fasilitasi P4GN di "
                        "kabupaten/kota ini?",
                        "Sesuai Permendagri No. 12 Tahun 2019 tentang Fasilitasi P4GN.",
                    ),
                    _likert(
                        "HK1.2",
                        SETUJU,
                        "Peraturan daerah tentang P4GN sudah disosialisasikan dan dipahami di lembaga saya.",
                    ),
                ],
            ),
            (
                "HK2",
                "Komitmen aparatur: tes urine dan kebijakan kepegawaian",
                [
                    _yesno(
                        "HK2.1",
                        "Apakah lembaga Anda melaksanakan tes urine bagi pegawai atau pendidik dalam 12 "
                        "bulan terakhir?",
                    ),
                    _likert(
                        "HK2.2",
                        PELAKSANAAN,
                        "Bagaimana penerapan aturan kepegawaian tentang sanksi dan pembinaan bagi pegawai "
                        "atau pendidik yang terlibat narkoba?",
                    ),
                    _likert(
                        "HK2.3",
                        SETUJU,
                        "Pimpinan lembaga saya menunjukkan komitmen nyata terhadap lingkungan kerja yang "
                        "bebas narkoba.",
                    ),
                ],
            ),
            (
                "HK3",
                "Kepastian hukum: asesmen terpadu dan rehabilitasi penyalahguna",
                [
                    _likert(
                        "HK3.1",
                        SETUJU,
                        "Penyalahguna narkoba yang tertangkap di daerah ini menjalani asesmen Tim Asesmen "
                        "Terpadu (TAT) sebelum diputuskan rehabilitasi atau proses hukum.",
                    ),
                    _likert(
                        "HK3.2",
                        SETUJU,
                        "Pecandu yang melapor diri (wajib lapor) mendapat layanan rehabilitasi, bukan "
                        "hukuman.",
                    ),
                ],
            ),
            (
                "HK4",
                "Sosialisasi hukum narkotika",
                [
                    _likert(
                        "HK4.1",
                        FREKUENSI,
                        "Seberapa sering lembaga Anda menyelenggarakan atau mengikuti sosialisasi UU "
                        "Narkotika dan peraturan P4GN?",
                    ),
                    _likert(
                        "HK4.2",
                        SETUJU,
                        "Pegawai atau peserta didik di lembaga saya memahami akibat hukum penyalahgunaan dan "
                        "peredaran narkoba.",
                    ),
                ],
            ),
        ],
    },
]

# --- Evidence (bukti dukung): code, name, required, questions supported ---------------------------------

EVIDENCE_TYPES = [
    ("sk-tim-terpadu", "SK Tim Terpadu P4GN", True, ["KL1.1", "KL1.2"]),
    ("rad-p4gn", "Dokumen RAD P4GN", True, ["KL2.1", "KL2.2"]),
    ("perda-p4gn", "Perda/Perkada Fasilitasi P4GN", False, ["HK1.1", "HK1.2"]),
    ("mou-pks", "MoU/PKS kemitraan P4GN", False, ["KL5.1", "KL5.2"]),
]


def _options(question: dict) -> list[dict]:
    kind = question["kind"]
    if kind == "likert":
        return [
            {"value": float(v), "label": label, "score": float(v - 1), "order": v}
            for v, label in enumerate(question["labels"], start=1)
        ]
    if kind == "yesno":
        return [
            {"value": 1.0, "label": "Ya", "score": 1.0, "order": 1},
            {"value": 0.0, "label": "Tidak", "score": 0.0, "order": 2},
        ]
    if kind == "choice":
        return [
            {"value": float(v), "label": label, "score": float(v), "order": v + 1}
            for v, label in enumerate(question["labels"])
        ]
    return [
        {"value": float(v), "label": label, "score": float(s), "order": i}
        for i, (v, label, s) in enumerate(question["thresholds"], start=1)
    ]


def default_instrument_data() -> dict:
    """The default instrument in the plain structure of instruments.services (see instrument_to_data)."""
    group_order = [code for code, *_ in GROUPS]
    variables = []
    for v_order, var in enumerate(VARIABLES, start=1):
        indicators = []
        for i_order, (i_code, i_name, questions) in enumerate(var["indicators"], start=1):
            indicators.append(
                {
                    "code": i_code,
                    "name": i_name,
                    "weight": Decimal(1),
                    "order": i_order,
                    "questions": [
                        {
                            "code": q["code"],
                            "text": q["text"],
                            "help_text": q["help"],
                            "kind": q["kind"],
                            "weight": Decimal(1),
                            "required": True,
                            "order": q_order,
                            "groups": sorted(q["groups"] or var["groups"], key=group_order.index),
                            "options": _options(q),
                        }
                        for q_order, q in enumerate(questions, start=1)
                    ],
                }
            )
        variables.append(
            {
                "code": var["code"],
                "name": var["name"],
                "weight": Decimal(1),
                "order": v_order,
                "indicators": indicators,
            }
        )
    return {
        "version": DEFAULT_VERSION,
        "name": DEFAULT_NAME,
        "description": DEFAULT_DESCRIPTION,
        "band_scheme": DEFAULT_BAND_SCHEME,
        "groups": [
            {"code": code, "name": name, "unit": unit, "min_quota": quota, "order": order}
            for order, (code, name, unit, quota) in enumerate(GROUPS, start=1)
        ],
        "variables": variables,
        "evidence_types": [
            {"code": code, "name": name, "required": required, "order": order, "questions": list(questions)}
            for order, (code, name, required, questions) in enumerate(EVIDENCE_TYPES, start=1)
        ],
    }


def standard_options(kind: str) -> list[dict]:
    """Options a new Likert or yes/no question gets when none are given (Likert labels: setuju scale)."""
    if kind == "likert":
        return _options({"kind": "likert", "labels": SETUJU})
    if kind == "yesno":
        return _options({"kind": "yesno"})
    return []
