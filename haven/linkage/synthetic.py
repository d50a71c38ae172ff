"""Synthetic registrations across scripts, for tests, benchmarks and demos.

People are registered several times by different offices: the name in Arabic script or in
one of the Latin spellings people really use, typing errors, given and family name swapped,
a birth date mistyped, transposed, reduced to a year or replaced by an age estimate, and
relatives' names written either way. The spellings below are a table of their own, not the
engine's transliteration rules, so the benchmark measures the rules rather than echoes them.
"""

import random
import string

# (Arabic script, Latin spellings seen in registration records)
GIVEN_MALE = [
    ("محمد", ["Mohamed", "Muhammad", "Mohammed", "Mohammad", "Mouhamed", "Mohamad"]),
    ("أحمد", ["Ahmed", "Ahmad", "Ahmet", "Ahmadou"]),
    ("علي", ["Ali", "Aly", "Alee"]),
    ("حسن", ["Hassan", "Hasan", "Hassane"]),
    ("حسين", ["Hussein", "Hussain", "Hossein", "Houssein", "Husein"]),
    ("عمر", ["Omar", "Umar", "Omer", "Oumar"]),
    ("يوسف", ["Youssef", "Yusuf", "Yousef", "Yousuf", "Youcef"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim", "Brahim", "Ibrahima"]),
    ("خالد", ["Khaled", "Khalid", "Khalied"]),
    ("عبد الله", ["Abdullah", "Abdallah", "Abdellah", "Abdulla"]),
    ("عبد الرحمن", ["Abdulrahman", "Abdelrahman", "Abderrahmane", "Abdul Rahman"]),
    ("مصطفى", ["Mustafa", "Moustafa", "Mostafa", "Mustapha"]),
    ("سعيد", ["Said", "Saeed", "Saied", "Sayed"]),
    ("كريم", ["Karim", "Kareem", "Kerim"]),
    ("جمال", ["Jamal", "Gamal", "Djamel", "Jamel"]),
    ("طارق", ["Tariq", "Tarek", "Tarik", "Tareq"]),
    ("ياسين", ["Yassin", "Yasin", "Yassine", "Yaseen"]),
    ("عثمان", ["Othman", "Osman", "Uthman", "Usman"]),
    ("سليمان", ["Suleiman", "Sulaiman", "Slimane", "Soliman"]),
    ("بلال", ["Bilal", "Belal", "Bilel"]),
    ("حمزة", ["Hamza", "Hamzah", "Hamze"]),
    ("نبيل", ["Nabil", "Nabeel"]),
    ("وليد", ["Walid", "Waleed", "Oualid"]),
    ("مروان", ["Marwan", "Merouane", "Marouane"]),
    ("فيصل", ["Faisal", "Faysal", "Fayssal"]),
    ("صالح", ["Saleh", "Salih", "Salah"]),
    ("رشيد", ["Rashid", "Rachid", "Rasheed"]),
    ("زكريا", ["Zakaria", "Zakariya", "Zakariyya"]),
    ("إسماعيل", ["Ismail", "Ismael", "Esmail"]),
    ("أنس", ["Anas", "Anass"]),
    ("عادل", ["Adel", "Adil", "Aadel"]),
    ("سامي", ["Sami", "Samy", "Samee"]),
    ("ماجد", ["Majed", "Majid", "Maged"]),
    ("هشام", ["Hisham", "Hicham", "Hesham"]),
    ("رامي", ["Rami", "Ramy"]),
    ("عماد", ["Imad", "Emad", "Imed"]),
    ("منير", ["Mounir", "Munir", "Moneer"]),
    ("جواد", ["Jawad", "Djawad", "Jawed"]),
    ("شريف", ["Sherif", "Chérif", "Sharif"]),
    ("فارس", ["Fares", "Faris", "Farès"]),
    ("زياد", ["Ziad", "Ziyad", "Zyad"]),
    ("قصي", ["Qusay", "Kusai", "Qusai"]),
    ("لؤي", ["Louay", "Luay", "Loai"]),
    ("باسل", ["Basel", "Bassel", "Basil"]),
    ("غسان", ["Ghassan", "Ghasan"]),
    ("نادر", ["Nader", "Nadir"]),
    ("أيمن", ["Ayman", "Aymen", "Aiman"]),
    ("حاتم", ["Hatem", "Hatim"]),
    ("مهدي", ["Mahdi", "Mehdi", "Mahdy"]),
    ("رياض", ["Riad", "Riyad", "Riyadh"]),
]
GIVEN_FEMALE = [
    ("فاطمة", ["Fatima", "Fatma", "Fatimah", "Fatema", "Fatouma"]),
    ("عائشة", ["Aisha", "Aicha", "Aysha", "Aishah"]),
    ("مريم", ["Maryam", "Mariam", "Meryem", "Mariem"]),
    ("خديجة", ["Khadija", "Khadidja", "Khadeeja", "Kadija"]),
    ("زينب", ["Zainab", "Zeinab", "Zaynab", "Zineb"]),
    ("أمينة", ["Amina", "Aminah", "Ameena"]),
    ("نور", ["Nour", "Noor", "Nur"]),
    ("هدى", ["Huda", "Houda", "Hoda"]),
    ("سارة", ["Sara", "Sarah", "Sarra"]),
    ("ليلى", ["Layla", "Leila", "Laila", "Leyla"]),
    ("رانيا", ["Rania", "Ranya"]),
    ("سلمى", ["Salma", "Selma"]),
    ("ياسمين", ["Yasmin", "Yasmine", "Jasmin"]),
    ("حليمة", ["Halima", "Halimah", "Haleema"]),
    ("سعاد", ["Souad", "Suad", "Soad"]),
    ("رحمة", ["Rahma", "Rahmah"]),
    ("أسماء", ["Asma", "Asmaa", "Esma"]),
    ("هالة", ["Hala", "Hallah"]),
    ("منى", ["Mona", "Muna", "Mouna"]),
    ("دعاء", ["Doaa", "Duaa", "Doua"]),
    ("رقية", ["Ruqaya", "Rokaya", "Roqaia"]),
    ("سمية", ["Sumaya", "Soumaya", "Somaya"]),
    ("وفاء", ["Wafaa", "Wafa", "Ouafae"]),
    ("نادية", ["Nadia", "Nadiya"]),
    ("جميلة", ["Jamila", "Djamila", "Gamila"]),
    ("لبنى", ["Lubna", "Loubna"]),
    ("إيمان", ["Iman", "Eman", "Imane"]),
    ("غادة", ["Ghada", "Ghadah"]),
    ("شيماء", ["Shaimaa", "Chaima", "Shayma"]),
    ("رشا", ["Rasha", "Racha"]),
    ("بشرى", ["Bushra", "Bouchra", "Boushra"]),
    ("حنان", ["Hanan", "Hanane"]),
    ("سهام", ["Siham", "Seham"]),
    ("نجلاء", ["Najlaa", "Nagla", "Najla"]),
    ("كوثر", ["Kawthar", "Kaouther", "Kawsar"]),
]
FAMILY = [
    ("الحسن", ["Al-Hassan", "El Hassan", "Alhassan", "Hassan"]),
    ("حداد", ["Haddad", "Hadad", "Al-Haddad"]),
    ("الخطيب", ["Al-Khatib", "El Khatib", "Khatib", "Alkhatib"]),
    ("منصور", ["Mansour", "Mansur", "Mansoor"]),
    ("العلي", ["Al-Ali", "El Ali", "Alali"]),
    ("يوسف", ["Youssef", "Yusuf", "Yousef"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim", "Brahim"]),
    ("عبد الله", ["Abdullah", "Abdallah", "Abdellah"]),
    ("سليمان", ["Suleiman", "Soliman", "Sulaiman"]),
    ("النجار", ["Al-Najjar", "Najjar", "El Naggar", "Alnajjar"]),
    ("الشامي", ["Al-Shami", "Shami", "El Chami", "Alshami"]),
    ("المصري", ["Al-Masri", "Masri", "El Masry", "Almasri"]),
    ("قاسم", ["Qasim", "Kassem", "Qassem", "Kasim"]),
    ("عيسى", ["Issa", "Eissa", "Isa"]),
    ("حمدان", ["Hamdan", "Hamdane"]),
    ("الزين", ["Al-Zein", "El Zein", "Zein", "Ezzine"]),
    ("عثمان", ["Osman", "Othman", "Usman"]),
    ("بكري", ["Bakri", "Bakry", "Bekri"]),
    ("درويش", ["Darwish", "Derwich", "Darweesh"]),
    ("صالح", ["Saleh", "Salih", "Salah"]),
    ("خليل", ["Khalil", "Khaleel", "Halil"]),
    ("جابر", ["Jaber", "Jabir", "Gaber"]),
    ("العمري", ["Al-Omari", "Omari", "El Omari", "Alomari"]),
    ("السيد", ["Al-Sayed", "El Sayed", "Elsayed", "Sayed"]),
    ("الحلبي", ["Al-Halabi", "Halabi", "El Halabi"]),
    ("بن علي", ["Ben Ali", "Benali", "Bin Ali"]),
    ("التميمي", ["Al-Tamimi", "Tamimi", "Attamimi"]),
    ("ناصر", ["Nasser", "Nasir", "Naser"]),
    ("الرفاعي", ["Al-Rifai", "Rifai", "Errifai"]),
    ("موسى", ["Moussa", "Musa", "Mousa"]),
    ("الأحمد", ["Al-Ahmad", "El Ahmed", "Alahmad"]),
    ("الجبوري", ["Al-Jubouri", "Jubouri", "Al-Juburi"]),
    ("الدليمي", ["Al-Dulaimi", "Dulaimi", "Al-Dulaymi"]),
    ("الكردي", ["Al-Kurdi", "Kurdi", "El Kurdi"]),
    ("الحمصي", ["Al-Homsi", "Homsi", "El Homsi"]),
    ("عبد القادر", ["Abdelkader", "Abdulkadir", "Abdul Qader"]),
    ("الفاسي", ["El Fassi", "Fassi", "Al-Fasi"]),
    ("العبيدي", ["Al-Obaidi", "Obaidi", "Al-Ubaydi"]),
    ("بوزيد", ["Bouzid", "Bozid", "Abu Zaid"]),
    ("شاهين", ["Shahin", "Chahine", "Shaheen"]),
    ("الصباغ", ["Al-Sabbagh", "Sabbagh", "Sabbag"]),
    ("طه", ["Taha", "Tahaa"]),
    ("حجازي", ["Hijazi", "Hegazy", "Hejazi"]),
    ("عوض", ["Awad", "Aouad", "Awadh"]),
    ("الربيعي", ["Al-Rubaie", "Rubaie", "Al-Rubaiy"]),
    ("غانم", ["Ghanem", "Ghanim"]),
    ("مراد", ["Mourad", "Murad", "Morad"]),
    ("زيدان", ["Zidane", "Zeidan", "Zaidan"]),
    ("فرحات", ["Farhat", "Ferhat"]),
    ("نعمان", ["Noman", "Nouman", "Numan"]),
]
# Names from the same routes that are written in Latin script only.
LATIN_ONLY_GIVEN = [
    "Abebe",
    "Tesfaye",
    "Amadou",
    "Fatoumata",
    "Aminata",
    "Mamadou",
    "Senait",
    "Yonas",
    "Helen",
    "Daniel",
    "Ousmane",
    "Mariama",
    "Kofi",
    "Ama",
    "Samuel",
    "Aster",
    "Biniam",
    "Dawit",
    "Eden",
    "Filmon",
    "Kidane",
    "Lemlem",
    "Mebrat",
    "Natnael",
    "Saba",
    "Semere",
    "Yemane",
    "Adama",
    "Binta",
    "Kadiatou",
    "Moussa",
    "Sekou",
    "Awa",
    "Lamin",
    "Isatou",
    "Ebrima",
]
LATIN_ONLY_FAMILY = [
    "Tesfamariam",
    "Diallo",
    "Traore",
    "Keita",
    "Bekele",
    "Haile",
    "Kamara",
    "Conteh",
    "Mensah",
    "Okafor",
    "Ghebremedhin",
    "Sow",
    "Bah",
    "Camara",
    "Tekle",
    "Berhane",
    "Woldu",
    "Gebremichael",
    "Habte",
    "Mehari",
    "Kidane",
    "Sesay",
    "Jallow",
    "Ceesay",
    "Touray",
    "Coulibaly",
    "Sangare",
    "Kone",
    "Barry",
    "Balde",
    "Jalloh",
    "Mbaye",
    "Ndiaye",
    "Fofana",
]
PLACES = [
    "Aleppo",
    "Homs",
    "Damascus",
    "Idlib",
    "Deir ez-Zor",
    "Mosul",
    "Baghdad",
    "Khartoum",
    "Tripoli",
    "Benghazi",
    "Sabha",
    "Agadez",
    "Asmara",
    "Gondar",
    "Mogadishu",
    "Kabul",
    "Herat",
    "Sanaa",
    "Taiz",
    "Gaza",
]
NATIONALITIES = ["SYR", "IRQ", "SDN", "LBY", "ERI", "ETH", "SOM", "AFG", "YEM", "PSE", "NER"]
AS_OF_YEARS = range(2015, 2026)


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.3:
        return text[:i] + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _written(rng: random.Random, name: tuple[str, list[str]] | str, arabic_share: float) -> str:
    if isinstance(name, str):
        return name
    arabic, latin = name
    if rng.random() < arabic_share:
        return arabic
    return rng.choice(latin)


def _person(rng: random.Random, pid: int) -> dict:
    female = rng.random() < 0.5
    given: tuple[str, list[str]] | str
    family: tuple[str, list[str]] | str
    father: tuple[str, list[str]] | str
    if rng.random() < 0.2:
        given = rng.choice(LATIN_ONLY_GIVEN)
        family = rng.choice(LATIN_ONLY_FAMILY)
        father = rng.choice(LATIN_ONLY_GIVEN)
    else:
        given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        family = rng.choice(FAMILY)
        father = rng.choice(GIVEN_MALE)
    return {
        "pid": pid,
        "given": given,
        "family": family,
        "father": father,
        "sex": "female" if female else "male",
        "year": rng.randint(1950, 2020),
        "month": rng.randint(1, 12),
        "day": rng.randint(1, 28),
        "nationality": rng.choice(NATIONALITIES),
        "place": rng.choice(PLACES),
    }


def _record(rng: random.Random, person: dict, arabic_share: float) -> dict:
    given = _written(rng, person["given"], arabic_share)
    family = _written(rng, person["family"], arabic_share)
    if rng.random() < 0.15 and given.isascii():
        given = _typo(rng, given)
    if rng.random() < 0.15 and family.isascii():
        family = _typo(rng, family)
    if rng.random() < 0.08:
        given, family = family, given
    year, month, day = person["year"], person["month"], person["day"]
    roll = rng.random()
    if roll < 0.55:
        dob = f"{year:04d}-{month:02d}-{day:02d}"
    elif roll < 0.63:
        dob = f"{year:04d}-{month:02d}-{_typo_day(rng, day):02d}"
    elif roll < 0.68 and day <= 12:
        dob = f"{year:04d}-{day:02d}-{month:02d}"
    elif roll < 0.80:
        dob = f"{year:04d}"
    elif roll < 0.93:
        # An age stated at registration turns into an estimated year, often a little off.
        dob = f"~{year + rng.choice([-2, -1, 0, 0, 0, 1, 2])}"
    else:
        dob = ""
    return {
        "person": person["pid"],
        "given_name": given,
        "family_name": family,
        "sex": person["sex"] if rng.random() > 0.01 else "",
        "birth_date": dob,
        "nationality": person["nationality"] if rng.random() > 0.05 else "",
        "place": person["place"] if rng.random() > 0.2 else rng.choice(PLACES + [""]),
        "relatives": _written(rng, person["father"], arabic_share) if rng.random() < 0.6 else "",
        # No papers or contacts here: what they weigh is what `Identifiers` knows.
        "documents": "",
        "contacts": "",
    }


def _typo_day(rng: random.Random, day: int) -> int:
    return min(28, max(1, day + rng.choice([-10, -1, 1, 10])))


def cross_script_records(
    people: int, seed: int = 7, arabic_share: float = 0.35, max_records: int = 4
) -> dict[str, list]:
    """Columns of records; column 'person' is the true identity."""
    rng = random.Random(seed)
    columns: dict[str, list] = {}
    for pid in range(people):
        person = _person(rng, pid)
        copies = 1 + min(max_records - 1, int(rng.expovariate(1.0)))
        for _ in range(copies):
            for key, value in _record(rng, person, arabic_share).items():
                columns.setdefault(key, []).append(value)
    return columns
